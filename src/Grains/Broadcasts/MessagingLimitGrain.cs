using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Broadcasts;

/// <summary>
/// Meta's messaging limit of one business number (see <see cref="MessagingLimitWindow"/>), kept durably: whom the
/// number reached outside the 24-hour window, and when. One activation per tenant in the cluster. A record goes once
/// its 24 hours are over: a durable reminder (every <see cref="ScheduleOptions.MessagingLimitSweep"/>) deletes it while
/// any are kept, whether or not another broadcast runs.
/// </summary>
public sealed class MessagingLimitGrain(
    IBroadcastStore store,
    TenantPolicies policies,
    IOptions<GoldbachOptions> options,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time) : Grain, IMessagingLimitGrain, IRemindable
{
    private const string SweepReminder = "messaging-limit-sweep";

    private MessagingLimitWindow _window = new(null);
    private bool _sweepScheduled;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var tenant = this.GetPrimaryKeyString();
        _window = new MessagingLimitWindow(policies.Find(tenant)?.Options.MessagingLimit);
        foreach (var (citizen, at) in await store.LoadReachedAsync(tenant))
        {
            _window.Restore(citizen, at);
        }
    }

    public async Task<MessagingLimitGrant> ReachAsync(ImmutableArray<string> citizenKeys)
    {
        var now = time.GetUtcNow();
        var granted = ImmutableArray.CreateBuilder<string>();
        var reached = new List<(string, DateTimeOffset)>();
        DateTimeOffset? next = null;
        foreach (var citizen in citizenKeys.Distinct())
        {
            if (_window.TryReach(citizen, now) is { } from)
            {
                next = next is { } n && n <= from ? n : from;
                continue;
            }
            granted.Add(citizen);
            reached.Add((citizen, _window.ReachedAt(citizen)!.Value));
        }
        await store.WriteReachedAsync(this.GetPrimaryKeyString(), reached, _window.TakeExpired(now));
        await ScheduleSweepAsync();
        return new MessagingLimitGrant(granted.ToImmutable(), next);
    }

    public async Task ForgetAsync(string citizenKey)
    {
        var tenant = this.GetPrimaryKeyString();
        if (_window.ReachedAt(citizenKey) is { } at)
        {
            // Meta still counts the place: an anonymous stand-in keeps it taken until the 24 hours end.
            var standIn = CitizenKey.Anonymous(tenant).GrainKey;
            _window.Restore(standIn, at);
            _window.Forget(citizenKey);
            await store.WriteReachedAsync(tenant, [(standIn, at)], [citizenKey]);
            await ScheduleSweepAsync();
            return;
        }
        await store.WriteReachedAsync(tenant, [], [citizenKey]);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != SweepReminder)
        {
            return;
        }
        var expired = _window.TakeExpired(time.GetUtcNow());
        if (expired.Count > 0)
        {
            await store.WriteReachedAsync(this.GetPrimaryKeyString(), [], expired);
        }
        if (_window.Count == 0 && await this.GetReminder(SweepReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
            _sweepScheduled = false;
        }
    }

    // While any record is kept, the sweep reminder runs (registered once per activation at most).
    private async Task ScheduleSweepAsync()
    {
        if (_sweepScheduled || _window.Count == 0)
        {
            return;
        }
        var period = options.Value.Schedules.MessagingLimitSweep;
        await this.RegisterOrUpdateReminder(SweepReminder, period, period);
        _sweepScheduled = true;
    }

    public Task<MessagingLimitForecast> PlanAsync(int recipients)
    {
        var now = time.GetUtcNow();
        var remaining = _window.Limit is { } limit ? Math.Max(0, limit - _window.Used(now)) : (int?)null;
        return Task.FromResult(new MessagingLimitForecast(remaining,
            [.. _window.Plan(recipients, now).Select(p => new BroadcastBatchPlan(p.From, p.Count))]));
    }
}
