using Azure;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;

namespace GoldbachActors.Grains.Outbound;

/// <summary>The outbox registry's shards in storage: what a registry shard holds and changes.</summary>
public interface IOutboxRegistryStore
{
    Task<IReadOnlyList<string>> LoadAsync(string shard, CancellationToken cancellationToken);

    /// <summary>Adds and removes citizens of one shard (entity-group transactions of up to 100 rows).</summary>
    Task WriteAsync(string shard, IReadOnlyCollection<(string CitizenKey, bool Remove)> changes, CancellationToken cancellationToken);
}

/// <summary>
/// Azure Table <c>OutboxRegistry</c>: partition = the shard (<c>{tenant}_{shard}</c>), row = the citizen's identity,
/// no other data. A row lives while the citizen's outbox has work (seconds to minutes, a day at most).
/// </summary>
public sealed class AzureTableOutboxRegistryStore(TableServiceClient tables) : IOutboxRegistryStore
{
    public const string TableName = "OutboxRegistry";
    private const int MaxTransactionSize = 100;
    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, TableName);

    public async Task<IReadOnlyList<string>> LoadAsync(string shard, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var (tenant, partition) = Partition(shard);
        var result = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            result.Add(CitizenKey.Create(tenant, e.RowKey).GrainKey);
        }
        return result;
    }

    public async Task WriteAsync(string shard, IReadOnlyCollection<(string CitizenKey, bool Remove)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var table = await _table.GetAsync();
        var (_, partition) = Partition(shard);
        foreach (var chunk in changes.Chunk(MaxTransactionSize))
        {
            await table.SubmitTransactionAsync(chunk.Select(c => c.Remove
                ? new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, CitizenKey.ParseGrainKey(c.CitizenKey).Identity), ETag.All)
                : new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, CitizenKey.ParseGrainKey(c.CitizenKey).Identity))),
                cancellationToken);
        }
    }

    private static (string Tenant, string Partition) Partition(string shard)
    {
        var slash = shard.IndexOf('/', StringComparison.Ordinal);
        return (shard[..slash], shard.Replace('/', '_'));
    }
}
