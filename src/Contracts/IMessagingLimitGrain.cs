using System.Collections.Immutable;

namespace GoldbachActors.Contracts;

/// <summary>
/// Meta's messaging limit of a business number: how many unique citizens outside their 24-hour window it may reach in
/// any 24 hours. One activation per tenant. Keyed by the tenant.
/// </summary>
[Alias("goldbach.IMessagingLimitGrain")]
public interface IMessagingLimitGrain : IGrainWithStringKey
{
    /// <summary>Takes places for those of <paramref name="citizenKeys"/> the limit allows now (durably).</summary>
    [Alias("Reach")]
    Task<MessagingLimitGrant> ReachAsync(ImmutableArray<string> citizenKeys);

    /// <summary>The forecast for <paramref name="recipients"/> new recipients.</summary>
    [Alias("Plan")]
    Task<MessagingLimitForecast> PlanAsync(int recipients);

    /// <summary>
    /// The citizen was erased: their record goes; the place they took stays taken, anonymously, until the 24 hours end.
    /// </summary>
    [Alias("Forget")]
    Task ForgetAsync(string citizenKey);
}
