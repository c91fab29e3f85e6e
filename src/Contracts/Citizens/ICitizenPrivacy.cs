namespace GoldbachActors.Contracts;

/// <summary>A role of the citizen grain (<see cref="ICitizenGrain"/>): data protection: export (Art. 15), erasure (Art. 17) and the retention rules.</summary>
[Alias("goldbach.ICitizenPrivacy")]
public interface ICitizenPrivacy : IGrainWithStringKey
{
    /// <summary>
    /// Everything stored about the citizen (GDPR Art. 15): the whole history with archived pages, notes, changes, the
    /// town's messages with delivery states, memberships and consent. Null when nothing is stored.
    /// </summary>
    [Alias("Export")]
    Task<CitizenExport?> ExportAsync();

    /// <summary>
    /// Erases the citizen (GDPR Art. 17) from every store: grain state, history pages, media files, the inbox entry,
    /// list memberships and consent, broadcast recipient rows, the messaging-limit record, reminders, other identities
    /// of the same citizen, and their name in the audit log (replaced by <see cref="CitizenErasure.AuditReference"/>).
    /// Durable from the first step: after a crash a reminder finishes it; repeating the call finishes it too, and an
    /// erasure of nothing succeeds. When storage refuses a step the report says it is not <see cref="ErasureReport.Finished"/>.
    /// </summary>
    [Alias("Erase")]
    Task<ErasureReport> EraseAsync(CitizenErasure erasure);

    /// <summary>
    /// Applies the tenant's retention rules: a conversation resolved longer ago than its category's period is erased
    /// (list members keep their membership and consent). Returns null when nothing is due (a new message since).
    /// </summary>
    [Alias("Expire")]
    Task<ErasureReport?> ExpireAsync(string erasureId);
}
