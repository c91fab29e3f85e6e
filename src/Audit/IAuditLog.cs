namespace GoldbachActors.Audit;

/// <summary>
/// What the grains do to the staff audit log (<see cref="StaffAuditLog"/>): an erasure replaces the citizen's name in
/// the entries about them, and the retention run deletes entries past their period. The gateway writes and reads it.
/// </summary>
public interface IAuditLog
{
    /// <summary>
    /// Replaces <paramref name="conversations"/> by <paramref name="reference"/> in every entry about them (an erased
    /// citizen). Idempotent; returns how many entries it changed.
    /// </summary>
    Task<int> RedactAsync(string tenant, IReadOnlyCollection<string> conversations, string reference, CancellationToken cancellationToken);

    /// <summary>The tenant's entries recorded before <paramref name="cutoff"/>: counted (dry run) or, with <paramref name="apply"/>, deleted. Returns how many.</summary>
    Task<int> ExpireAsync(string tenant, DateTimeOffset cutoff, bool apply, CancellationToken cancellationToken);
}
