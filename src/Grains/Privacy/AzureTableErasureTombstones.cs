using System.Buffers.Binary;
using Azure;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Storage;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Privacy;

/// <summary>
/// Tombstones of erased citizens (Azure Table <c>ErasureTombstones</c>: partition = tenant, row = a keyed hash of the
/// identity, never the identity itself), kept longer than Meta retries a webhook and longer than the gateway's journal
/// holds one, and longer than the oldest backup (<see cref="BackupOptions.TombstoneLifetime"/>). Without them a
/// redelivered webhook would bring an erased message back as a new conversation, and a restored backup the erased
/// citizen. The table itself is never restored from a backup: it only grows newer (docs/operations.md).
/// </summary>
/// <remarks>
/// A lookup asks the tenant's <see cref="IErasureIndexGrain"/> first (memory): only a citizen with a tombstone costs a
/// storage read, so a new citizen's first message costs none.
/// </remarks>
public sealed class AzureTableErasureTombstones(TableServiceClient tables, IRedactorProvider redactors, IOptions<GoldbachOptions> options, IGrainFactory grains)
    : IErasureTombstones
{
    public const string TableName = "ErasureTombstones";

    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, TableName);
    private readonly Redactor _hash = redactors.GetRedactor(GoldbachTaxonomy.PersonalIdentifier);

    public async Task RecordAsync(IEnumerable<CitizenKey> keys, DateTimeOffset erasedAt, IEnumerable<ulong> digests)
    {
        var packed = Pack(digests);
        var table = await _table.GetAsync();
        foreach (var key in keys)
        {
            var rowKey = RowKey(key);
            await table.UpsertEntityAsync(new TableEntity(key.Tenant, rowKey)
            {
                ["ErasedAt"] = erasedAt,
                ["ExpiresAt"] = erasedAt + options.Value.Backups.TombstoneLifetime,
                ["Digests"] = packed,
            }, TableUpdateMode.Replace);
            // After the row: the index never says "none" for a tombstone that exists.
            await grains.GetGrain<IErasureIndexGrain>(key.Tenant).AddAsync([rowKey]);
        }
    }

    /// <summary>Every tombstone row key of a tenant (for the <see cref="IErasureIndexGrain"/>).</summary>
    public async Task<IReadOnlyList<string>> LoadRowKeysAsync(string tenant, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == tenant, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }
        return keys;
    }

    public async Task<ErasureTombstone?> FindAsync(CitizenKey key, DateTimeOffset now)
    {
        if (!await grains.GetGrain<IErasureIndexGrain>(key.Tenant).MayHaveAsync(RowKey(key)))
        {
            return null;
        }
        var table = await _table.GetAsync();
        var found = await table.GetEntityIfExistsAsync<TableEntity>(key.Tenant, RowKey(key));
        if (!found.HasValue || found.Value!.GetDateTimeOffset("ExpiresAt") is not { } expires || expires <= now)
        {
            return null;
        }
        return new ErasureTombstone(found.Value.GetDateTimeOffset("ErasedAt") ?? now, Unpack(found.Value.GetBinary("Digests")));
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ErasedAmongAsync(string tenant, IEnumerable<CitizenKey> keys, DateTimeOffset now)
    {
        var byRow = keys.Where(k => k.Tenant == tenant).DistinctBy(k => k.GrainKey).ToDictionary(RowKey, k => k.GrainKey, StringComparer.Ordinal);
        var erased = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (byRow.Count == 0)
        {
            return erased;
        }
        var table = await _table.GetAsync();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and ExpiresAt gt {now}"), select: ["RowKey", "ErasedAt"]))
        {
            if (byRow.TryGetValue(entity.RowKey, out var grainKey) && entity.GetDateTimeOffset("ErasedAt") is { } at)
            {
                erased[grainKey] = at;
            }
        }
        return erased;
    }

    public async Task<int> ExpireAsync(string tenant, DateTimeOffset now)
    {
        var table = await _table.GetAsync();
        var deleted = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and ExpiresAt le {now}"), select: ["PartitionKey", "RowKey"]))
        {
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All);
            deleted++;
        }
        return deleted;
    }

    // The same keyed hash telemetry uses for the identity (HMAC with the secret redaction key), made table-safe.
    private string RowKey(CitizenKey key) =>
        _hash.Redact(key.Identity).Replace('/', '_').Replace('+', '-').Replace(':', '.');

    private static byte[] Pack(IEnumerable<ulong> digests)
    {
        var list = digests.Distinct().ToList();
        var bytes = new byte[list.Count * sizeof(ulong)];
        for (var i = 0; i < list.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * sizeof(ulong)), list[i]);
        }
        return bytes;
    }

    private static HashSet<ulong> Unpack(byte[]? bytes)
    {
        var set = new HashSet<ulong>();
        for (var offset = 0; bytes is not null && offset + sizeof(ulong) <= bytes.Length; offset += sizeof(ulong))
        {
            set.Add(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset)));
        }
        return set;
    }
}
