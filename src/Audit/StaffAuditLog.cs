using System.Globalization;
using Azure;
using Azure.Data.Tables;
using GoldbachActors.Storage;

namespace GoldbachActors.Audit;

/// <summary>One entry of the staff audit log: who read or changed which conversation, when. Internal only.</summary>
public sealed record StaffAuditEntry(DateTimeOffset At, string StaffId, string Role, string Action, string? Conversation);

/// <summary>
/// The staff audit log in an Azure Table (<c>StaffAudit</c>): partition = tenant, row = newest first. Every staff read
/// of a conversation and every change is recorded before the call answers; a call whose entry cannot be written fails
/// (Unavailable), so nothing is done unrecorded. Never sent to citizens, never logged. An erased citizen's entries keep
/// who did what and when, with the conversation replaced by the erasure's reference; entries older than the tenant's
/// audit period are deleted by the retention rules.
/// </summary>
public sealed class StaffAuditLog(TableServiceClient tables, TimeProvider time)
{
    public const string TableName = "StaffAudit";
    private const int MaxTransactionSize = 100;
    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, TableName);

    public async Task RecordAsync(string tenant, string staffId, string role, string action, string? conversation, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var now = time.GetUtcNow();
        await table.AddEntityAsync(new TableEntity(tenant, $"{RowKeyOf(now)}_{Guid.NewGuid():N}")
        {
            ["At"] = now,
            ["StaffId"] = staffId,
            ["Role"] = role,
            ["Action"] = action,
            ["Conversation"] = conversation,
        }, cancellationToken);
    }

    /// <summary>A page of the tenant's entries, newest first, optionally of one conversation.</summary>
    public async Task<(IReadOnlyList<StaffAuditEntry> Entries, string? NextPageToken)> ListAsync(
        string tenant, int pageSize, string? pageToken, string? conversation, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var after = pageToken ?? "";
        var entries = new List<StaffAuditEntry>();
        string? last = null;
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == tenant && e.RowKey.CompareTo(after) > 0, cancellationToken: cancellationToken))
        {
            var entry = ToEntry(entity);
            if (conversation is not null && entry.Conversation != conversation)
            {
                continue;
            }
            if (entries.Count == pageSize)
            {
                return (entries, last);
            }
            entries.Add(entry);
            last = entity.RowKey;
        }
        return (entries, null);
    }

    /// <summary>Every entry about one of <paramref name="conversations"/>, oldest first (for a citizen's export).</summary>
    public async Task<IReadOnlyList<StaffAuditEntry>> ListAboutAsync(
        string tenant, IReadOnlyCollection<string> conversations, CancellationToken cancellationToken)
    {
        var entries = new List<StaffAuditEntry>();
        await foreach (var entity in AboutAsync(tenant, conversations, cancellationToken))
        {
            entries.Add(ToEntry(entity));
        }
        entries.Reverse();
        return entries;
    }

    /// <summary>
    /// Replaces <paramref name="conversations"/> by <paramref name="reference"/> in every entry about them (an erased
    /// citizen): who did what and when stays, whom it concerned does not. Idempotent; returns how many it changed.
    /// </summary>
    public async Task<int> RedactAsync(
        string tenant, IReadOnlyCollection<string> conversations, string reference, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var found = new List<TableEntity>();
        await foreach (var entity in AboutAsync(tenant, conversations, cancellationToken))
        {
            found.Add(entity);
        }
        foreach (var chunk in found.Chunk(MaxTransactionSize))
        {
            await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(e.PartitionKey, e.RowKey) { ["Conversation"] = reference }, ETag.All)), cancellationToken);
        }
        return found.Count;
    }

    /// <summary>
    /// The tenant's entries recorded before <paramref name="cutoff"/>: counted (dry run) or deleted. Returns how many.
    /// </summary>
    public async Task<int> ExpireAsync(string tenant, DateTimeOffset cutoff, bool delete, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        // Rows are newest first: every row after the cutoff's key is older.
        var from = RowKeyOf(cutoff);
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == tenant && e.RowKey.CompareTo(from) > 0, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }
        if (delete)
        {
            foreach (var chunk in keys.Chunk(MaxTransactionSize))
            {
                await table.SubmitTransactionAsync(chunk.Select(key => new TableTransactionAction(
                    TableTransactionActionType.Delete, new TableEntity(tenant, key), ETag.All)), cancellationToken);
            }
        }
        return keys.Count;
    }

    private async IAsyncEnumerable<TableEntity> AboutAsync(
        string tenant, IReadOnlyCollection<string> conversations, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        // The partition is the tenant's whole log (a few thousand rows a year): read once, filtered here.
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == tenant, cancellationToken: cancellationToken))
        {
            if (entity.GetString("Conversation") is { } conversation && conversations.Contains(conversation))
            {
                yield return entity;
            }
        }
    }

    private static StaffAuditEntry ToEntry(TableEntity entity) => new(
        entity.GetDateTimeOffset("At") ?? default, entity.GetString("StaffId") ?? "", entity.GetString("Role") ?? "",
        entity.GetString("Action") ?? "", entity.GetString("Conversation"));

    private static string RowKeyOf(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
