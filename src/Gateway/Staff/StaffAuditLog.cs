using System.Globalization;
using Azure.Data.Tables;

namespace GoldbachActors.Gateway.Staff;

/// <summary>One entry of the staff audit log: who read or changed which conversation, when. Internal only.</summary>
public sealed record StaffAuditEntry(DateTimeOffset At, string StaffId, string Role, string Action, string? Conversation);

/// <summary>
/// The staff audit log in an Azure Table (<c>StaffAudit</c>): partition = tenant, row = newest first. Every staff read
/// of a conversation and every change is recorded before the call answers; a call whose entry cannot be written fails
/// (Unavailable), so nothing is done unrecorded. Never sent to citizens, never logged.
/// </summary>
public sealed class StaffAuditLog(TableServiceClient tables, TimeProvider time)
{
    private const string TableName = "StaffAudit";
    private readonly Lazy<Task<TableClient>> _table = new(async () =>
    {
        var client = tables.GetTableClient(TableName);
        await client.CreateIfNotExistsAsync();
        return client;
    });

    public async Task RecordAsync(StaffCaller caller, string action, string? conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var table = await _table.Value;
        var now = time.GetUtcNow();
        var row = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks:D19}_{Guid.NewGuid():N}");
        await table.AddEntityAsync(new TableEntity(caller.Tenant, row)
        {
            ["At"] = now,
            ["StaffId"] = caller.StaffId,
            ["Role"] = caller.Role,
            ["Action"] = action,
            ["Conversation"] = conversation,
        }, cancellationToken);
    }

    /// <summary>A page of the tenant's entries, newest first, optionally of one conversation.</summary>
    public async Task<(IReadOnlyList<StaffAuditEntry> Entries, string? NextPageToken)> ListAsync(
        string tenant, int pageSize, string? pageToken, string? conversation, CancellationToken cancellationToken)
    {
        var table = await _table.Value;
        var after = pageToken ?? "";
        var entries = new List<StaffAuditEntry>();
        string? last = null;
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == tenant && e.RowKey.CompareTo(after) > 0, cancellationToken: cancellationToken))
        {
            var entry = new StaffAuditEntry(
                entity.GetDateTimeOffset("At") ?? default, entity.GetString("StaffId") ?? "", entity.GetString("Role") ?? "",
                entity.GetString("Action") ?? "", entity.GetString("Conversation"));
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
}
