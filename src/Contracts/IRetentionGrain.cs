namespace GoldbachActors.Contracts;

/// <summary>
/// The tenant's retention rules at work: a durable daily reminder deletes resolved conversations whose period ran out
/// and audit entries older than theirs. Keyed by the tenant's <c>phone_number_id</c>.
/// </summary>
[Alias("goldbach.IRetentionGrain")]
public interface IRetentionGrain : IGrainWithStringKey
{
    /// <summary>Registers the daily reminder (idempotent); called by every silo at start-up.</summary>
    [Alias("EnsureScheduled")]
    Task EnsureScheduledAsync();

    /// <summary>What the rules would delete now; deletes nothing.</summary>
    [Alias("Preview")]
    Task<RetentionReport> PreviewAsync();

    /// <summary>Deletes what is due now (what the reminder does daily); idempotent.</summary>
    [Alias("Apply")]
    Task<RetentionReport> ApplyAsync();
}
