using Orleans.Concurrency;

namespace GoldbachActors.Contracts;

/// <summary>
/// Which of a tenant's citizens have an erasure tombstone, by the tombstone's row key (a keyed hash of the identity,
/// never the identity): held in memory, so that a new citizen's first message needs no storage read to learn that it
/// was never erased. Every tombstone is added here after it is written; the grain loads the tenant's tombstones when
/// it activates. Keyed by the tenant.
/// </summary>
[Alias("goldbach.IErasureIndexGrain")]
public interface IErasureIndexGrain : IGrainWithStringKey
{
    /// <summary>Whether a tombstone may exist under this row key (expired ones included: the store has the last word).</summary>
    [Alias("MayHave"), ReadOnly]
    Task<bool> MayHaveAsync(string rowKey);

    /// <summary>Adds written tombstones' row keys.</summary>
    [Alias("Add")]
    Task AddAsync(IReadOnlyList<string> rowKeys);
}
