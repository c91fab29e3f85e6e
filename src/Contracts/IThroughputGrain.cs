namespace GoldbachActors.Contracts;

/// <summary>
/// The business number's send rate across the whole cluster (Meta: 80 messages per second by default): one
/// activation per tenant hands out send slots. Keyed by the tenant's <c>phone_number_id</c>.
/// </summary>
[Alias("goldbach.IThroughputGrain")]
public interface IThroughputGrain : IGrainWithStringKey
{
    /// <summary>
    /// Reserves the next send slot if it comes within <paramref name="maxWait"/>: the caller waits
    /// <see cref="ThroughputGrant.Delay"/> and sends. Otherwise nothing is reserved and the caller asks again after
    /// the delay.
    /// </summary>
    [Alias("Reserve")]
    Task<ThroughputGrant> ReserveAsync(TimeSpan maxWait);
}

/// <summary>A send slot (wait <see cref="Delay"/>, then send), or a refusal (ask again after <see cref="Delay"/>).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ThroughputGrant")]
public readonly record struct ThroughputGrant([property: Id(0)] bool Granted, [property: Id(1)] TimeSpan Delay);
