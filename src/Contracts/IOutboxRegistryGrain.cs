namespace GoldbachActors.Contracts;

/// <summary>
/// One shard of a tenant's outbox registry: the citizens whose outbox has work, kept durably, so that after a crash
/// or a restart their grains are woken and send what waits. It replaces a durable reminder per citizen (three
/// storage calls each): additions and removals that arrive together share one write, and one reminder per shard
/// wakes everyone registered in it. Keyed by <see cref="GrainKey"/>.
/// </summary>
[Alias("goldbach.IOutboxRegistryGrain")]
public interface IOutboxRegistryGrain : IGrainWithStringKey
{
    /// <summary>Shards per tenant: a burst's registrations spread over this many grains and partitions.</summary>
    public const int Shards = 16;

    /// <summary>Registers a citizen (idempotent); completes when it is durable.</summary>
    [Alias("Add")]
    Task AddAsync(string citizenKey);

    /// <summary>Forgets a citizen at once (an erasure); completes when the row is gone.</summary>
    [Alias("Remove")]
    Task RemoveAsync(string citizenKey);

    /// <summary>The citizens registered now (for operators and tests).</summary>
    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>The registry shard a citizen belongs to: <c>{tenant}/{shard}</c>, the shard from a stable hash of the key.</summary>
    public static string GrainKey(CitizenKey citizen)
    {
        // FNV-1a over the identity: stable across processes and versions (string.GetHashCode is not).
        var hash = 2166136261u;
        foreach (var c in citizen.Identity)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{citizen.Tenant}/{hash % Shards:D2}");
    }
}
