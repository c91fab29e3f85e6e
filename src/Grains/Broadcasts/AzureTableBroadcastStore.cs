using Azure;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;
using Orleans.Serialization;

namespace GoldbachActors.Grains.Broadcasts;

/// <summary>One recipient of a broadcast as the broadcast grain keeps it.</summary>
public sealed class BroadcastRecipient(string citizenKey, string language)
{
    public string CitizenKey { get; } = citizenKey;

    public string Language { get; set; } = language;

    public RecipientState State { get; set; }

    public string? Reason { get; set; }

    public bool AsTemplate { get; set; }

    public bool Replied { get; set; }
}

/// <summary>
/// Broadcast lists and broadcasts in Azure Tables, one row per member and per recipient, so that a list of 100,000
/// members is no single huge record and a change writes only its rows (in entity-group transactions of up to 100):
/// <list type="bullet">
/// <item><c>BroadcastListMembers</c>: partition <c>{tenant}_{list}</c>, row = citizen identity.</item>
/// <item><c>Broadcasts</c>: partition = tenant, row = broadcast id; the progress serialized by Orleans.</item>
/// <item><c>BroadcastRecipients</c>: partition <c>{tenant}_{broadcast}</c>, row = citizen identity.</item>
/// <item><c>MessagingLimit</c>: partition = tenant, row = citizen identity, when they were reached outside the window.</item>
/// </list>
/// </summary>
public sealed class AzureTableBroadcastStore(TableServiceClient tables, Serializer<BroadcastProgress> serializer) : IBroadcastStore
{
    private const int MaxTransactionSize = 100;
    private readonly StorageSetup<TableClient> _members = StorageSetup.Table(tables, "BroadcastListMembers");
    private readonly StorageSetup<TableClient> _broadcasts = StorageSetup.Table(tables, "Broadcasts");
    private readonly StorageSetup<TableClient> _recipients = StorageSetup.Table(tables, "BroadcastRecipients");
    private readonly StorageSetup<TableClient> _limits = StorageSetup.Table(tables, "MessagingLimit");

    public async Task<List<ListMember>> LoadMembersAsync(string tenant, string listId)
    {
        var table = await _members.GetAsync();
        var result = new List<ListMember>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition(tenant, listId)))
        {
            result.Add(new ListMember(CitizenKey.Create(tenant, e.RowKey).GrainKey, e.GetString("Language") ?? "de", e.GetDateTimeOffset("Since") ?? default));
        }
        return result;
    }

    public async Task WriteMembersAsync(string tenant, string listId, IReadOnlyCollection<(ListMember Member, bool Remove)> changes)
    {
        var table = await _members.GetAsync();
        var partition = Partition(tenant, listId);
        foreach (var chunk in changes.Where(c => !c.Remove).Chunk(MaxTransactionSize))
        {
            await table.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(partition, Identity(c.Member.CitizenKey))
                {
                    ["Language"] = c.Member.Language,
                    ["Since"] = c.Member.Since,
                })));
        }
        // One by one: a delete in a transaction fails the whole transaction when its row was never written.
        foreach (var (member, _) in changes.Where(c => c.Remove))
        {
            await table.DeleteEntityAsync(partition, Identity(member.CitizenKey), ETag.All);
        }
    }

    public async Task<BroadcastProgress?> LoadBroadcastAsync(string tenant, string broadcastId)
    {
        var table = await _broadcasts.GetAsync();
        var response = await table.GetEntityIfExistsAsync<TableEntity>(tenant, broadcastId);
        return response.HasValue && response.Value!.GetBinary("Data") is { } data ? serializer.Deserialize(data) : null;
    }

    public async Task SaveBroadcastAsync(string tenant, BroadcastProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var table = await _broadcasts.GetAsync();
        await table.UpsertEntityAsync(new TableEntity(tenant, progress.BroadcastId)
        {
            ["Data"] = serializer.SerializeToArray(progress),
            ["CreatedAt"] = progress.CreatedAt,
        }, TableUpdateMode.Replace);
    }

    public async Task<List<BroadcastProgress>> ListBroadcastsAsync(string tenant)
    {
        var table = await _broadcasts.GetAsync();
        var result = new List<BroadcastProgress>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == tenant))
        {
            if (e.GetBinary("Data") is { } data)
            {
                result.Add(serializer.Deserialize(data)!);
            }
        }
        return result;
    }

    public async Task<List<BroadcastRecipient>> LoadRecipientsAsync(string tenant, string broadcastId)
    {
        var table = await _recipients.GetAsync();
        var result = new List<BroadcastRecipient>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition(tenant, broadcastId)))
        {
            result.Add(ToRecipient(CitizenKey.Create(tenant, e.RowKey).GrainKey, e));
        }
        return result;
    }

    public async Task WriteRecipientsAsync(string tenant, string broadcastId, IReadOnlyCollection<BroadcastRecipient> recipients)
    {
        var table = await _recipients.GetAsync();
        // Four transactions at a time: a 10,000-member broadcast's rows are written before its first send.
        await Parallel.ForEachAsync(recipients.Chunk(MaxTransactionSize), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, cancellation) =>
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(Partition(tenant, broadcastId), Identity(r.CitizenKey))
                {
                    ["Language"] = r.Language,
                    ["State"] = (int)r.State,
                    ["Reason"] = r.Reason,
                    ["AsTemplate"] = r.AsTemplate,
                    ["Replied"] = r.Replied,
                })), cancellation));
    }

    /// <summary>Deletes one recipient's row (an erased citizen); a missing row is no error.</summary>
    public async Task DeleteRecipientAsync(string tenant, string broadcastId, string citizenKey)
    {
        var table = await _recipients.GetAsync();
        await table.DeleteEntityAsync(Partition(tenant, broadcastId), Identity(citizenKey), ETag.All);
    }

    /// <summary>The citizen's row in the broadcast, if any.</summary>
    public async Task<BroadcastRecipient?> LoadRecipientAsync(string tenant, string broadcastId, string citizenKey)
    {
        var table = await _recipients.GetAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition(tenant, broadcastId), Identity(citizenKey));
        return row.HasValue && row.Value is { } e ? ToRecipient(citizenKey, e) : null;
    }

    // One recipient row as WriteRecipientsAsync writes it.
    private static BroadcastRecipient ToRecipient(string citizenKey, TableEntity e) => new(citizenKey, e.GetString("Language") ?? "de")
    {
        State = (RecipientState)(e.GetInt32("State") ?? 0),
        Reason = e.GetString("Reason"),
        AsTemplate = e.GetBoolean("AsTemplate") ?? false,
        Replied = e.GetBoolean("Replied") ?? false,
    };

    /// <summary>When the citizen was reached outside their window, if that is still on record.</summary>
    public async Task<DateTimeOffset?> LoadReachedAsync(string tenant, string citizenKey)
    {
        var table = await _limits.GetAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(tenant, Identity(citizenKey));
        return row.HasValue && row.Value is { } e ? e.GetDateTimeOffset("At") : null;
    }

    /// <summary>The tenant's broadcasts that have a recipient row for the citizen.</summary>
    public async Task<List<string>> FindRecipientBroadcastsAsync(string tenant, string citizenKey)
    {
        var broadcasts = await _broadcasts.GetAsync();
        var recipients = await _recipients.GetAsync();
        var identity = Identity(citizenKey);
        var found = new List<string>();
        await foreach (var e in broadcasts.QueryAsync<TableEntity>(e => e.PartitionKey == tenant, select: ["RowKey"]))
        {
            if ((await recipients.GetEntityIfExistsAsync<TableEntity>(Partition(tenant, e.RowKey), identity, select: ["RowKey"])).HasValue)
            {
                found.Add(e.RowKey);
            }
        }
        return found;
    }

    public async Task<List<(string CitizenKey, DateTimeOffset At)>> LoadReachedAsync(string tenant)
    {
        var table = await _limits.GetAsync();
        var result = new List<(string, DateTimeOffset)>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == tenant))
        {
            result.Add((CitizenKey.Create(tenant, e.RowKey).GrainKey, e.GetDateTimeOffset("At") ?? default));
        }
        return result;
    }

    public async Task WriteReachedAsync(string tenant, IReadOnlyCollection<(string CitizenKey, DateTimeOffset At)> reached, IReadOnlyCollection<string> expired)
    {
        var table = await _limits.GetAsync();
        foreach (var chunk in reached.Chunk(MaxTransactionSize))
        {
            await table.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(tenant, Identity(c.CitizenKey)) { ["At"] = c.At })));
        }
        foreach (var citizenKey in expired)
        {
            await table.DeleteEntityAsync(tenant, Identity(citizenKey), ETag.All);
        }
    }

    private static string Identity(string citizenKey) => Contracts.CitizenKey.ParseGrainKey(citizenKey).Identity;

    // Table keys may not hold '/', so the tenant and the list or broadcast id are joined by '_'.
    private static string Partition(string tenant, string id) => $"{tenant}_{id}";

}
