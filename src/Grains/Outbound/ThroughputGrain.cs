using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Grains.Outbound;

/// <summary>
/// Hands out send slots for one business number, evenly spaced at the tenant's messages per second, to every silo's
/// citizen grains alike (one activation per tenant in the cluster). Slots are kept in memory: a new activation (after
/// a silo died, or at start) begins at half the rate for its first seconds, because the first sends of a cold silo
/// leave in a bunch (connections being opened, code not yet compiled) and would otherwise crowd one second.
/// </summary>
public sealed class ThroughputGrain(TenantPolicies policies, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(GoldbachClock.Key)] TimeProvider time)
    : Grain, IThroughputGrain
{
    internal static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(2);

    private DateTimeOffset _activatedAt;

    // The theoretical time of the next free slot (generic cell rate algorithm without bursts).
    private DateTimeOffset _nextSlot;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activatedAt = time.GetUtcNow();
        return Task.CompletedTask;
    }

    public Task<ThroughputGrant> ReserveAsync(TimeSpan maxWait)
    {
        var tenant = this.GetPrimaryKeyString();
        var options = policies.Find(tenant)?.Options
            ?? throw new InvalidOperationException($"No tenant is configured for phone_number_id {tenant}.");
        // 4 % under the rate by default: a call may leave up to 30 ms after its slot (a timer, the connection; the
        // "sending" state is written ahead with the message, not between the timer and the call) and reach Meta with
        // some milliseconds of jitter; with slots 13 ms apart at 80/s no second as Meta counts it holds more than the
        // rate as long as lateness and jitter together stay under 40 ms. (8 % before the "sending" write moved ahead:
        // see docs/benchmarks.md.)
        var safetyFactor = 1 + (options.ThroughputMarginPercent / 100);
        var interval = TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond * safetyFactor / options.MessagesPerSecond));
        var now = time.GetUtcNow();
        var slot = _nextSlot > now ? _nextSlot : now;
        var delay = slot - now;
        if (delay > maxWait)
        {
            return Task.FromResult(new ThroughputGrant(false, delay - maxWait));
        }
        _nextSlot = slot + (slot - _activatedAt < SlowStart ? 2 * interval : interval);
        return Task.FromResult(new ThroughputGrant(true, delay));
    }
}
