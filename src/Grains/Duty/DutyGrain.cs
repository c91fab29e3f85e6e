using System.Collections.Immutable;
using System.Security.Cryptography;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.Telemetry;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Duty;

/// <summary>
/// A tenant's duty service: rings the duty phone (Web Push to every device of whoever <see cref="DutyRules"/> names,
/// a WhatsApp notice to their own number where no push arrived), and escalates an urgent conversation nobody opens
/// on a reminder, so that a killed silo does not lose the next step.
/// </summary>
public sealed partial class DutyGrain(
    [PersistentState("duty", StorageNames.Tenants)] IPersistentState<DutyState> state,
    TenantPolicies policies,
    WebPushSender push,
    IWhatsAppSender whatsApp,
    GoldbachMetrics metrics,
    IOptions<GoldbachOptions> options,
    IOptions<WebPushOptions> pushOptions,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time,
    ILogger<DutyGrain> logger) : Grain, IDutyGrain, IRemindable
{
    public const int MaxDevicesPerStaff = 10;
    private const int MaxAlerts = 1000;
    private const string EscalationReminder = "duty-escalation";
    private static readonly TimeSpan QuietAlertLifetime = TimeSpan.FromDays(1);

    private string Tenant => this.GetPrimaryKeyString();

    private DutyState State => state.State;

    public async Task SignalAsync(DutySignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (policies.Find(Tenant) is not { } policy || CitizenKey.ParseGrainKey(signal.CitizenKey).Tenant != Tenant)
        {
            return;
        }
        var now = time.GetUtcNow();
        ForgetQuietAlerts(now);
        var urgent = signal.Kind == DutySignalKind.Urgent;
        if (State.Alerts.TryGetValue(signal.CitizenKey, out var open) && (open.Urgent || !urgent))
        {
            return; // one notification per conversation (plus its escalation steps): a flood rings once
        }
        var alert = open is null
            ? new DutyAlert(NewAlertId(), signal.CitizenKey, urgent, signal.Category, now, 0, null, [], false)
            : open with { Urgent = true, Category = signal.Category ?? open.Category, Step = 0 };
        var rung = await RingAsync(policy, alert, now);
        if (rung.Rung.IsEmpty && rung.NextStepAt is null && !urgent)
        {
            return; // in office hours, a new conversation rings nobody by default: no alert to keep
        }
        State.Alerts[signal.CitizenKey] = rung;
        await state.WriteStateAsync();
        await ScheduleAsync(now);
    }

    public async Task OpenedAsync(string citizenKey, string staffId)
    {
        if (State.Alerts.Remove(citizenKey ?? ""))
        {
            LogOpened(Tenant);
            await state.WriteStateAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var now = time.GetUtcNow();
        if (policies.Find(Tenant) is { } policy)
        {
            var due = State.Alerts.Values.Where(a => a.NextStepAt is { } at && at <= now + TimeSpan.FromSeconds(1)).ToList();
            foreach (var alert in due)
            {
                State.Alerts[alert.CitizenKey] = await RingAsync(policy, alert with { Step = alert.Step + 1 }, now);
            }
            if (due.Count > 0)
            {
                await state.WriteStateAsync();
            }
        }
        await ScheduleAsync(now);
    }

    public Task<string?> FindAlertAsync(string alertId) =>
        Task.FromResult(State.Alerts.Values.FirstOrDefault(a => string.Equals(a.Id, alertId, StringComparison.Ordinal))?.CitizenKey);

    public Task<ImmutableArray<DutyAlert>> GetAlertsAsync() =>
        Task.FromResult(State.Alerts.Values.OrderBy(a => a.RaisedAt).ToImmutableArray());

    // Rings the alert's current step: every device of every staff member the rules name, in parallel; the WhatsApp
    // notice (once per conversation) for those no push reached. Returns the alert with who was rung and its next step.
    private async Task<DutyAlert> RingAsync(TenantPolicy policy, DutyAlert alert, DateTimeOffset now)
    {
        var onDuty = DutyRules.OnDuty(State.Shifts, now);
        var staff = State.Staff.Values.Select(s => new DutyStaff(s.Member.StaffId, s.Member.Role, s.Paused)).ToList();
        var ring = policy.Duty.Ring(alert.Urgent, alert.Step, now, onDuty, staff);
        if (ring.Unstaffed)
        {
            metrics.DutyUnstaffed(Tenant);
            LogUnstaffed(Tenant, alert.Step, ring.Staff.Length);
        }
        var notification = DutyNotifications.For(alert, policy.Duty.EscalateAfter);
        var unreached = await Task.WhenAll(ring.Staff.Select(id => PushAsync(id, notification, now)));
        var fallbackSent = alert.FallbackSent;
        foreach (var id in unreached.OfType<string>())
        {
            fallbackSent |= !fallbackSent && await NoticeAsync(policy, id, alert);
        }
        return alert with
        {
            Rung = [.. alert.Rung.Concat(ring.Staff).Distinct(StringComparer.Ordinal)],
            NextStepAt = policy.Duty.NextStepAt(alert.Urgent, alert.Step, now),
            FallbackSent = fallbackSent,
        };
    }

    // Pushes to each of the staff member's devices; returns their id when none took it, null otherwise.
    private async Task<string?> PushAsync(string staffId, DutyNotification notification, DateTimeOffset now)
    {
        if (!State.Staff.TryGetValue(staffId, out var member))
        {
            return staffId;
        }
        var devices = member.Devices.ToList();
        var outcomes = await Task.WhenAll(devices.Select(d => push.SendAsync(d.Subscription, notification, CancellationToken.None)));
        for (var i = 0; i < devices.Count; i++)
        {
            metrics.DutyNotification(Tenant, "push", outcomes[i].ToString().ToLowerInvariant());
            if (outcomes[i] == PushOutcome.Gone)
            {
                member.Devices.Remove(devices[i]);
                LogDeviceGone(Tenant);
            }
            else if (outcomes[i] == PushOutcome.Delivered)
            {
                devices[i].LastDeliveredAt = now;
            }
        }
        return outcomes.Contains(PushOutcome.Delivered) ? null : staffId;
    }

    // The WhatsApp notice to the staff member's own number: the tenant's approved template, no citizen data.
    private async Task<bool> NoticeAsync(TenantPolicy policy, string staffId, DutyAlert alert)
    {
        if (policy.Options.Duty.FallbackTemplate is not { } template
            || State.Staff.GetValueOrDefault(staffId)?.DutyNumber is not { } number)
        {
            return false;
        }
        try
        {
            await whatsApp.SendTemplateAsync(Tenant, new WhatsAppRecipient(number, null),
                new WhatsAppTemplate(template.Name, template.Language, template.BodyParameters), $"duty#{alert.Id}", CancellationToken.None);
            metrics.DutyNotification(Tenant, "whatsapp", "delivered");
            return true;
        }
        catch (WhatsAppApiException ex)
        {
            metrics.DutyNotification(Tenant, "whatsapp", "failed");
            LogNoticeFailed(Tenant, ex.Code);
            return false;
        }
    }

    private async Task ScheduleAsync(DateTimeOffset now)
    {
        var next = State.Alerts.Values.Select(a => a.NextStepAt).Where(a => a is not null).Min();
        if (next is { } at)
        {
            var period = options.Value.Schedules.MinimumReminderPeriod;
            var due = at - now;
            await this.RegisterOrUpdateReminder(EscalationReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, period);
        }
        else if (await this.GetReminder(EscalationReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    // Alerts that never escalate (a new conversation out of hours) end after a day; the oldest go beyond a bound.
    private void ForgetQuietAlerts(DateTimeOffset now)
    {
        foreach (var quiet in State.Alerts.Values.Where(a => a.NextStepAt is null && now - a.RaisedAt > QuietAlertLifetime).ToList())
        {
            State.Alerts.Remove(quiet.CitizenKey);
        }
        foreach (var oldest in State.Alerts.Values.OrderBy(a => a.RaisedAt).Take(Math.Max(0, State.Alerts.Count - MaxAlerts + 1)).ToList())
        {
            State.Alerts.Remove(oldest.CitizenKey);
        }
    }

    private static string NewAlertId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Nobody on duty for tenant {Tenant} (alert step {Step}); {Supervisors} supervisors rung instead")]
    private partial void LogUnstaffed(string tenant, int step, int supervisors);

    [LoggerMessage(Level = LogLevel.Information, Message = "A push subscription of tenant {Tenant} is gone (404/410) and was deleted")]
    private partial void LogDeviceGone(string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The WhatsApp duty notice of tenant {Tenant} failed (Meta code {Code})")]
    private partial void LogNoticeFailed(string tenant, int? code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "An alert of tenant {Tenant} was opened")]
    private partial void LogOpened(string tenant);
}
