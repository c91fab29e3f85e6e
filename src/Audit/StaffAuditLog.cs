using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using GoldbachActors.Storage;

namespace GoldbachActors.Audit;

/// <summary>One entry of the staff audit log: who read or changed which conversation, when. Internal only.</summary>
public sealed record StaffAuditEntry(DateTimeOffset At, string StaffId, string Role, string Action, string? Conversation, string? StaffName = null);

/// <summary>
/// The staff audit log in an Azure Table (<c>StaffAudit</c>): partition = tenant, row = newest first. Every staff read
/// of a conversation and every change is recorded before the call answers; a call whose entry cannot be written fails
/// (Unavailable), so nothing is done unrecorded. Never sent to citizens, never logged. An erased citizen's entries keep
/// who did what and when, with the conversation replaced by the erasure's reference; entries older than the tenant's
/// audit period are deleted by the retention rules.
/// </summary>
/// <remarks>
/// A conversation's entries are found through an index (<c>StaffAuditByConversation</c>: partition = tenant, row =
/// the conversation, hex-encoded, then the entry's row), so that a citizen's export and erasure read their own entries
/// and not the tenant's whole log (a million rows after a few busy years). The index row is written before the entry,
/// so every entry about a conversation has one. Entries written before the index existed (older than the tenant's
/// <c>~indexed-since</c> marker) are still found by reading that older part of the log, which the audit period empties.
/// </remarks>
public sealed class StaffAuditLog(TableServiceClient tables, TimeProvider time) : IAuditLog
{
    public const string TableName = "StaffAudit";
    public const string IndexTableName = "StaffAuditByConversation";
    private const string IndexedSinceRow = "~indexed-since";
    private const string NothingOlder = "none";
    private const int MaxTransactionSize = 100;
    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, TableName);
    private readonly StorageSetup<TableClient> _index = StorageSetup.Table(tables, IndexTableName);
    private readonly ConcurrentDictionary<string, string> _indexedSince = new(StringComparer.Ordinal);

    public Task RecordAsync(string tenant, string staffId, string role, string action, string? conversation, CancellationToken cancellationToken) =>
        RecordAsync(tenant, staffId, null, role, action, conversation, cancellationToken);

    /// <summary>Records what a staff member did: their stable id, and their display name beside it when the token has one.</summary>
    public async Task RecordAsync(
        string tenant, string staffId, string? staffName, string role, string action, string? conversation, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await AppendAsync(tenant, [new StaffAuditEntry(now, staffId, role, action, conversation, staffName)], cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="entries"/>: index rows first, then the entries, in transactions of up to 100 rows (each
    /// transaction within one table's tenant partition).
    /// </summary>
    public async Task AppendAsync(string tenant, IReadOnlyList<StaffAuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.Select(e => new TableEntity(tenant, $"{RowKeyOf(e.At)}_{Guid.NewGuid():N}")
        {
            ["At"] = e.At,
            ["StaffId"] = e.StaffId,
            ["Role"] = e.Role,
            ["Action"] = e.Action,
            ["Conversation"] = e.Conversation,
            ["StaffName"] = e.StaffName,
        }).ToList();
        var indexRows = rows.Where(r => r.GetString("Conversation") is not null)
            .Select(r => IndexRow(r, r.GetString("Conversation")!)).ToList();
        if (indexRows.Count > 0)
        {
            await MarkIndexedSinceAsync(tenant, cancellationToken);
            await SubmitAsync(await _index.GetAsync(), indexRows, TableTransactionActionType.Add, cancellationToken);
        }
        await SubmitAsync(await _table.GetAsync(), rows, TableTransactionActionType.Add, cancellationToken);
    }

    /// <summary>A page of the tenant's entries, newest first, optionally of one conversation.</summary>
    public async Task<(IReadOnlyList<StaffAuditEntry> Entries, string? NextPageToken)> ListAsync(
        string tenant, int pageSize, string? pageToken, string? conversation, CancellationToken cancellationToken)
    {
        var after = pageToken ?? "";
        var entries = new List<StaffAuditEntry>();
        string? last = null;
        var rows = conversation is null ? LogAsync(tenant, after, cancellationToken) : AboutAsync(tenant, conversation, after, cancellationToken);
        await foreach (var row in rows)
        {
            if (entries.Count == pageSize)
            {
                return (entries, last);
            }
            entries.Add(ToEntry(row.Entry));
            last = row.EntryKey;
        }
        return (entries, null);
    }

    /// <summary>Every entry about one of <paramref name="conversations"/>, oldest first (for a citizen's export).</summary>
    public async Task<IReadOnlyList<StaffAuditEntry>> ListAboutAsync(
        string tenant, IReadOnlyCollection<string> conversations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        var rows = new List<AuditRow>();
        foreach (var conversation in conversations.Distinct(StringComparer.Ordinal))
        {
            await foreach (var row in AboutAsync(tenant, conversation, "", cancellationToken))
            {
                rows.Add(row);
            }
        }
        // Row keys count down: the largest is the oldest.
        return [.. rows.OrderByDescending(r => r.EntryKey, StringComparer.Ordinal).Select(r => ToEntry(r.Entry))];
    }

    /// <summary>
    /// Replaces <paramref name="conversations"/> by <paramref name="reference"/> in every entry about them (an erased
    /// citizen): who did what and when stays, whom it concerned does not. Idempotent; returns how many it changed.
    /// </summary>
    public async Task<int> RedactAsync(
        string tenant, IReadOnlyCollection<string> conversations, string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        var found = new List<AuditRow>();
        foreach (var conversation in conversations.Distinct(StringComparer.Ordinal).Where(c => c != reference))
        {
            await foreach (var row in AboutAsync(tenant, conversation, "", cancellationToken))
            {
                found.Add(row);
            }
        }
        if (found.Count == 0)
        {
            return 0;
        }
        // In an order that a repeated run completes: the entries stay findable by the reference, then the entries
        // change, then the index forgets the conversations.
        var index = await _index.GetAsync();
        await SubmitAsync(index, [.. found.Select(r => IndexRow(r.Entry, reference, r.EntryKey))], TableTransactionActionType.UpsertReplace, cancellationToken);
        await SubmitAsync(await _table.GetAsync(),
            [.. found.Select(r => new TableEntity(tenant, r.EntryKey) { ["Conversation"] = reference })], TableTransactionActionType.UpdateMerge, cancellationToken);
        await SubmitAsync(index, [.. found.Where(r => r.IndexKey is not null).Select(r => new TableEntity(tenant, r.IndexKey))],
            TableTransactionActionType.Delete, cancellationToken);
        return found.Count;
    }

    /// <summary>
    /// The tenant's entries recorded before <paramref name="cutoff"/>: counted (dry run) or deleted, with their index
    /// rows. Returns how many.
    /// </summary>
    public async Task<int> ExpireAsync(string tenant, DateTimeOffset cutoff, bool apply, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        // Rows are newest first: every row after the cutoff's key is older.
        var from = RowKeyOf(cutoff);
        var expired = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and RowKey gt {from}"), select: ["RowKey", "Conversation"],
            cancellationToken: cancellationToken))
        {
            expired.Add(entity);
        }
        if (apply)
        {
            await SubmitAsync(await _index.GetAsync(), [.. expired.Where(e => e.GetString("Conversation") is not null)
                .Select(e => new TableEntity(tenant, IndexKey(e.GetString("Conversation")!, e.RowKey)))], TableTransactionActionType.Delete, cancellationToken);
            await SubmitAsync(table, [.. expired.Select(e => new TableEntity(tenant, e.RowKey))], TableTransactionActionType.Delete, cancellationToken);
        }
        return expired.Count;
    }

    /// <summary>An entry's row: its key in the log, and its key in the index if it has one.</summary>
    private sealed record AuditRow(string EntryKey, string? IndexKey, TableEntity Entry);

    private async IAsyncEnumerable<AuditRow> LogAsync(string tenant, string after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and RowKey gt {after}"), cancellationToken: cancellationToken))
        {
            yield return new AuditRow(entity.RowKey, null, entity);
        }
    }

    // One conversation's entries after the row key `after`, newest first: from the index, then from the part of the
    // log older than the index (usually empty).
    private async IAsyncEnumerable<AuditRow> AboutAsync(
        string tenant, string conversation, string after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = IndexKey(conversation, "");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = await _index.GetAsync();
        await foreach (var row in index.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and RowKey gt {prefix + after} and RowKey lt {prefix + "~"}"),
            cancellationToken: cancellationToken))
        {
            var entryKey = row.RowKey[prefix.Length..];
            seen.Add(entryKey);
            yield return new AuditRow(entryKey, row.RowKey, row);
        }
        var since = await IndexedSinceAsync(tenant, cancellationToken);
        if (since == NothingOlder)
        {
            yield break;
        }
        if (since is not null && string.CompareOrdinal(since, after) > 0)
        {
            after = since;
        }
        var table = await _table.GetAsync();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and RowKey gt {after} and Conversation eq {conversation}"),
            cancellationToken: cancellationToken))
        {
            if (!seen.Contains(entity.RowKey))
            {
                yield return new AuditRow(entity.RowKey, null, entity);
            }
        }
    }

    // The row key before which (older) entries may lack an index row; null while the tenant has no indexed entry.
    private async Task<string?> IndexedSinceAsync(string tenant, CancellationToken cancellationToken)
    {
        if (_indexedSince.TryGetValue(tenant, out var since))
        {
            return since;
        }
        var marker = await (await _index.GetAsync()).GetEntityIfExistsAsync<TableEntity>(tenant, IndexedSinceRow, cancellationToken: cancellationToken);
        return marker.HasValue && marker.Value!.GetString("Since") is { } stored ? _indexedSince.GetOrAdd(tenant, stored) : null;
    }

    // The first indexed entry of a tenant marks where the index begins: every entry recorded from now on has an index
    // row. An older marker stays.
    private async Task MarkIndexedSinceAsync(string tenant, CancellationToken cancellationToken)
    {
        if (await IndexedSinceAsync(tenant, cancellationToken) is not null)
        {
            return;
        }
        var since = RowKeyOf(time.GetUtcNow());
        // A log that begins with the index has no older part to read, ever.
        if (!await HasEntriesOlderThanAsync(tenant, since, cancellationToken))
        {
            since = NothingOlder;
        }
        try
        {
            await (await _index.GetAsync()).AddEntityAsync(new TableEntity(tenant, IndexedSinceRow) { ["Since"] = since }, cancellationToken);
            _indexedSince.TryAdd(tenant, since);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another host wrote it first: read theirs.
            await IndexedSinceAsync(tenant, cancellationToken);
        }
    }

    private async Task<bool> HasEntriesOlderThanAsync(string tenant, string rowKey, CancellationToken cancellationToken)
    {
        var log = await _table.GetAsync();
        var pages = log.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and RowKey gt {rowKey}"),
            maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken).AsPages();
        await foreach (var page in pages)
        {
            if (page.Values.Count > 0)
            {
                return true;
            }
            if (page.ContinuationToken is null)
            {
                break;
            }
        }
        return false;
    }

    // Rows of one partition in transactions; a transaction that fails because a row is already gone (an earlier run
    // deleted it) or already there (an earlier run added it) is done row by row, skipping those.
    private static async Task SubmitAsync(TableClient table, IReadOnlyList<TableEntity> rows, TableTransactionActionType type, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(MaxTransactionSize))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(type, r, ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409)
            {
                foreach (var row in chunk)
                {
                    try
                    {
                        await table.SubmitTransactionAsync([new TableTransactionAction(type, row, ETag.All)], cancellationToken);
                    }
                    catch (TableTransactionFailedException single) when (single.Status is 404 or 409)
                    {
                    }
                }
            }
        }
    }

    private static TableEntity IndexRow(TableEntity entry, string conversation, string? entryKey = null)
    {
        var row = new TableEntity(entry.PartitionKey, IndexKey(conversation, entryKey ?? entry.RowKey));
        foreach (var name in (string[])["At", "StaffId", "StaffName", "Role", "Action"])
        {
            row[name] = entry[name];
        }
        row["Conversation"] = conversation;
        return row;
    }

    // Conversation names hold '/', which a row key must not: hex, then '_' (above every hex digit), then the entry's key.
    private static string IndexKey(string conversation, string entryKey) =>
        $"{Convert.ToHexString(Encoding.UTF8.GetBytes(conversation))}_{entryKey}";

    private static StaffAuditEntry ToEntry(TableEntity entity) => new(
        entity.GetDateTimeOffset("At") ?? default, entity.GetString("StaffId") ?? "", entity.GetString("Role") ?? "",
        entity.GetString("Action") ?? "", entity.GetString("Conversation"), entity.GetString("StaffName"));

    private static string RowKeyOf(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
