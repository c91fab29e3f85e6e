using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Privacy;

/// <summary>What is left of an erased citizen: when the erasure was asked for, and the digests of what they wrote.</summary>
/// <param name="ErasedAt">When the erasure was requested: what was sent before belongs to the erased past.</param>
/// <param name="Digests">The deduplication digests (8 bytes of a SHA-256 of a message id; no text, no number).</param>
public sealed record ErasureTombstone(DateTimeOffset ErasedAt, IReadOnlySet<ulong> Digests);

/// <summary>
/// What stays of erased citizens, so that a redelivered webhook (Meta retries for 7 days, the gateway's journal replays)
/// cannot bring an erased message back, and a restored backup is erased again. Keyed by a keyed hash of the identity;
/// holds no number and no text. Kept for the backup horizon (<c>Goldbach:Backups:RetentionDays</c>), at least 10 days.
/// </summary>
public interface IErasureTombstones
{
    /// <summary>Records the tombstone under each of the keys the citizen's data was kept under.</summary>
    Task RecordAsync(IEnumerable<CitizenKey> keys, DateTimeOffset erasedAt, IEnumerable<ulong> digests);

    /// <summary>The citizen's tombstone, if they were erased and it has not expired.</summary>
    Task<ErasureTombstone?> FindAsync(CitizenKey key, DateTimeOffset now);

    /// <summary>
    /// Which of these citizens (all of one tenant) were erased, and when (by grain key): one query of the tenant's
    /// tombstones, for the retention run that erases again what a restored backup brought back.
    /// </summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> ErasedAmongAsync(string tenant, IEnumerable<CitizenKey> keys, DateTimeOffset now);

    /// <summary>Deletes the tenant's expired tombstones; returns how many.</summary>
    Task<int> ExpireAsync(string tenant, DateTimeOffset now);
}
