using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Privacy;

/// <summary>What is left of an erased citizen: when the erasure was asked for, and the digests of what they wrote.</summary>
/// <param name="ErasedAt">When the erasure was requested: what was sent before belongs to the erased past.</param>
/// <param name="Digests">The deduplication digests (8 bytes of a SHA-256 of a message id; no text, no number).</param>
public sealed record ErasureTombstone(DateTimeOffset ErasedAt, IReadOnlySet<ulong> Digests);

/// <summary>
/// What stays of erased citizens, so that a redelivered webhook (Meta retries for 7 days, the gateway's journal replays)
/// cannot bring an erased message back. Keyed by a keyed hash of the identity; holds no number and no text.
/// </summary>
public interface IErasureTombstones
{
    /// <summary>How long a tombstone is kept: past Meta's 7 days of retries and the deduplication window.</summary>
    static readonly TimeSpan Lifetime = TimeSpan.FromDays(10);

    /// <summary>Records the tombstone under each of the keys the citizen's data was kept under.</summary>
    Task RecordAsync(IEnumerable<CitizenKey> keys, DateTimeOffset erasedAt, IEnumerable<ulong> digests);

    /// <summary>The citizen's tombstone, if they were erased and it has not expired.</summary>
    Task<ErasureTombstone?> FindAsync(CitizenKey key, DateTimeOffset now);

    /// <summary>Deletes the tenant's expired tombstones; returns how many.</summary>
    Task<int> ExpireAsync(string tenant, DateTimeOffset now);
}
