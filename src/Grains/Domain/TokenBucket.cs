using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// A token bucket kept in grain state: <see cref="Tokens"/> as of <see cref="At"/>. Pure: time comes from the caller,
/// so the same bucket behaves the same in tests, after a restart and on another silo. (System.Threading.RateLimiting's
/// limiters keep their tokens in memory and read the clock themselves, which neither survives a silo nor replays.)
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.TokenBucket")]
public readonly record struct TokenBucket([property: Id(0)] double Tokens, [property: Id(1)] DateTimeOffset At)
{
    /// <summary>A full bucket at <paramref name="now"/>.</summary>
    public static TokenBucket Full(RateLimitOptions limit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return new(limit.Burst, now);
    }

    /// <summary>The tokens available at <paramref name="now"/> (refilled since <see cref="At"/>, up to the burst).</summary>
    public double Available(RateLimitOptions limit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var elapsed = now > At ? now - At : TimeSpan.Zero;
        return Math.Min(limit.Burst, Tokens + (elapsed / limit.Every));
    }

    /// <summary>Takes one token if there is one. The returned bucket is the new state either way.</summary>
    public TokenBucket Take(RateLimitOptions limit, DateTimeOffset now, out bool taken)
    {
        var available = Available(limit, now);
        var at = now > At ? now : At;
        taken = available >= 1;
        return new(taken ? available - 1 : available, at);
    }

    /// <summary>How long until a token is available at <paramref name="now"/> (zero if one is).</summary>
    public TimeSpan WaitTime(RateLimitOptions limit, DateTimeOffset now)
    {
        var missing = 1 - Available(limit, now);
        return missing <= 0 ? TimeSpan.Zero : limit.Every * missing;
    }
}
