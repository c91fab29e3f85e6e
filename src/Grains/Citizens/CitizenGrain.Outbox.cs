using System.Diagnostics;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;
using GoldbachActors.Grains.Privacy;
using GoldbachActors.Grains.Telemetry;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Citizens;

/// <summary>The outbox: sends in the business number's slots and the citizen's bucket, retries and failures, delivery reports.</summary>
public sealed partial class CitizenGrain
{
    public async Task<ReceiveOutcome> ReportDeliveryAsync(DeliveryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var outcome = state.State.ApplyReport(report, time.GetUtcNow());
        if (outcome == ReceiveOutcome.Unmatched && state.State.ArchivedOutbound.TryGetValue(report.WhatsAppMessageId, out var archived))
        {
            return await ApplyArchivedReportAsync(archived.Page, report);
        }
        if (outcome == ReceiveOutcome.Recorded)
        {
            await PersistAsync();
            await PublishSummaryAsync();
            await ReportToBroadcastsAsync();
        }
        else if (outcome == ReceiveOutcome.Unmatched)
        {
            LogUnmatchedReport(report.Status);
        }
        return outcome;
    }

    private async Task<ReceiveOutcome> ApplyArchivedReportAsync(int number, DeliveryReport report)
    {
        if (await history.ReadPageAsync(_key, number, CancellationToken.None) is not { } page
            || CitizenState.ApplyReport(page, report) is not { } updated)
        {
            return ReceiveOutcome.Duplicate;
        }
        await history.WritePageAsync(_key, updated, CancellationToken.None);
        await PersistAsync();
        return ReceiveOutcome.Recorded;
    }

    // The outbox as the metrics see it: what waits for WhatsApp to accept it (not what waits for the citizen).
    private void ReportOutbox()
    {
        var depth = 0;
        DateTimeOffset? oldest = null;
        foreach (var m in state.State.Outbound)
        {
            if (m.State is DeliveryState.Queued or DeliveryState.Sending)
            {
                depth++;
                oldest = oldest is { } o && o <= m.CreatedAt ? o : m.CreatedAt;
            }
        }
        metrics.Outbox(_key.GrainKey, depth, oldest);
    }

    // Starts sending and media downloads now if anything waits (a scheduled retry is brought forward).
    private void ResumeBackgroundWork()
    {
        if (state.State.ForwardTo is not null)
        {
            return;
        }
        if (state.State.NextToSend() is not null)
        {
            Schedule(ref _dispatchTimer, DispatchAsync, TimeSpan.Zero);
        }
        if (state.State.NextMediaToStore() is not null)
        {
            Schedule(ref _mediaTimer, StoreMediaAsync, TimeSpan.Zero);
        }
    }

    private void Schedule(ref IGrainTimer? timer, Func<CancellationToken, Task> callback, TimeSpan dueTime)
    {
        if (timer is null)
        {
            timer = this.RegisterGrainTimer(callback, new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    // Sends queued messages oldest first. A send that fails transiently stays queued and is tried again later.
    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        var policy = RequirePolicy();
        while (state.State.ForwardTo is null && state.State.NextToSend() is { } next)
        {
            var now = time.GetUtcNow();
            if (!next.IsTemplate && !state.State.IsWindowOpen(now))
            {
                // The window closed while the message waited (an outage, a backoff): free text may no longer go out.
                state.State.HoldForWindow(next, now, policy.Options.WindowTemplate?.Name);
                metrics.WindowClosed(next.Kind);
                await PersistAsync();
                await PublishSummaryAsync();
                continue;
            }
            if (WaitBeforeSending(next, policy, now) is { } wait)
            {
                Schedule(ref _dispatchTimer, DispatchAsync, wait);
                return;
            }
            // The business number's send slot (cluster-wide). Reserved once, however far ahead: the timer comes back
            // shortly before it, so no grain waits blocked and nobody polls.
            if (_slot is not { } slot)
            {
                var grant = await GrainFactory.GetGrain<IThroughputGrain>(_key.Tenant).ReserveAsync(MaxThroughputWait);
                if (!grant.Granted)
                {
                    Schedule(ref _dispatchTimer, DispatchAsync, grant.Delay);
                    return;
                }
                _slot = slot = time.GetUtcNow() + grant.Delay;
            }
            if (slot - time.GetUtcNow() > SlotLead)
            {
                Schedule(ref _dispatchTimer, DispatchAsync, slot - time.GetUtcNow() - SlotLead);
                return;
            }

            // Durably "sending" before the call: after a crash the message is known to be perhaps sent. (This
            // activation knows whether it has called yet: no grace period while it only waits for a slot.)
            var sending = next;
            if (next.State != DeliveryState.Sending || _notYetHandedOver != next.Id)
            {
                sending = next with { State = DeliveryState.Sending, SendingSince = time.GetUtcNow(), NextAttemptAt = null };
                if (state.State.Section != InboxSection.Staff)
                {
                    var limit = policy.Options.OutboundPerRecipient;
                    state.State.OutboundBucket = (state.State.OutboundBucket ?? TokenBucket.Full(limit, now)).Take(limit, now, out _);
                }
                state.State.Update(sending);
                await PersistAsync();
                _notYetHandedOver = next.Id;
            }
            _slot = null;
            if (slot - time.GetUtcNow() is { } early && early > TimeSpan.Zero)
            {
                await Task.Delay(early, cancellationToken);
            }
            if (time.GetUtcNow() - slot > SlotTolerance)
            {
                // Missed the slot (a slow write, a pause): sending now would crowd the next slots' second. Take another.
                continue;
            }
            _notYetHandedOver = null;
            using var activity = GoldbachActivity.Source.StartActivity("goldbach.outbound.send", ActivityKind.Internal,
                _queuedBy.Remove(next.Id, out var queuedBy) ? queuedBy : default);
            activity?.SetTag("goldbach.outbound.kind", next.Kind.ToString());
            try
            {
                var reference = OutboundReference.Format(_key, next.Id);
                var wamid = TemplateOf(next, policy) is { } template
                    ? await sender.SendTemplateAsync(_key.Tenant, Recipient(), template, reference, cancellationToken)
                    : await sender.SendTextAsync(_key.Tenant, Recipient(), next.Text, reference, cancellationToken);
                state.State.Update(sending with
                {
                    State = DeliveryState.Sent,
                    WhatsAppMessageId = wamid,
                    FailureReason = null,
                    FailureCode = null,
                    SendingSince = null,
                    StateChangedAt = time.GetUtcNow(),
                });
                state.State.RecipientThrottles = 0;
                LogSent(next.Id, next.Kind, _key.GrainKey);
                metrics.Sent(next.Kind);
            }
            catch (WhatsAppApiException ex)
            {
                var retryIn = RecordFailure(sending, ex);
                await PersistAsync();
                await PublishSummaryAsync();
                await ReportToBroadcastsAsync();
                if (retryIn is { } delay)
                {
                    Schedule(ref _dispatchTimer, DispatchAsync, delay);
                    return;
                }
                continue;
            }
            await PersistAsync();
            await PublishSummaryAsync();
            if (next.BroadcastId is not null)
            {
                await ReportToBroadcastsAsync();
            }
        }
        // The outbox reminder stays until its next tick finds nothing to send: no storage call on the hot path.
    }

    // How long the next message must still wait: its backoff, the citizen's 131056 backoff, the per-recipient pace, or
    // the grace after an ambiguous attempt (a status webhook may yet say it arrived). Null: send now.
    private TimeSpan? WaitBeforeSending(OutboundMessage next, TenantPolicy policy, DateTimeOffset now)
    {
        var until = next.NextAttemptAt;
        if (state.State.RecipientBackoffUntil is { } backoff && (until is null || backoff > until))
        {
            until = backoff;
        }
        if (next.State == DeliveryState.Sending && next.SendingSince is { } since && next.Id != _notYetHandedOver)
        {
            // Counted from this activation at the earliest: after a crash, the status webhook that names the message
            // may still wait in the gateway's journal (replayed once the grain answers again).
            var graceOver = (since > _activatedAt ? since : _activatedAt) + graphApi.Value.AmbiguousSendGrace;
            if (until is null || graceOver > until)
            {
                until = graceOver;
            }
        }
        var wait = until is { } time ? time - now : TimeSpan.Zero;
        if (state.State.Section != InboxSection.Staff)
        {
            var limit = policy.Options.OutboundPerRecipient;
            var pace = (state.State.OutboundBucket ?? TokenBucket.Full(limit, now)).WaitTime(limit, now);
            wait = pace > wait ? pace : wait;
        }
        return wait > TimeSpan.Zero ? wait : null;
    }

    // What a failed attempt means for the message; returns when to try again, or null when it is done (failed).
    private TimeSpan? RecordFailure(OutboundMessage sending, WhatsAppApiException ex)
    {
        var now = time.GetUtcNow();
        var attempts = sending.FailedAttempts + 1;
        LogSendFailed(sending.Id, _key.GrainKey, ex.Code, ex.HttpStatus, ex.IsTransient, ex.IsAmbiguous, attempts);
        if (ex.IsAmbiguous)
        {
            // Perhaps sent: stay "sending" and wait for a status webhook that names this message (it carries our id
            // in the callback data); without one within the grace period it is sent again (see docs/outbound.md).
            state.State.Update(sending with { FailedAttempts = attempts, FailureReason = "Zeitüberschreitung: Zustellung ungewiss, wird geprüft." });
            return graphApi.Value.AmbiguousSendGrace;
        }
        if (ex.Code == MetaErrorCodes.RecipientThrottled)
        {
            // Meta: too many messages to this citizen; back off for them only, 4^X seconds.
            state.State.RecipientThrottles = Math.Min(state.State.RecipientThrottles + 1, 6);
            var backoff = TimeSpan.FromSeconds(Math.Pow(4, state.State.RecipientThrottles));
            state.State.RecipientBackoffUntil = now + backoff;
            state.State.Update(sending with
            {
                State = DeliveryState.Queued,
                SendingSince = null,
                FailedAttempts = attempts,
                FailureCode = ex.Code,
                FailureReason = MetaErrorTexts.Describe(ex.Code, ex.Details),
            });
            return backoff;
        }
        // Not for ever: after hours of transient failures the message fails visibly, with its reason, for staff to see.
        var givenUp = ex.IsTransient && (attempts >= MaxSendAttempts || now - sending.CreatedAt > MaxSendAge);
        if (ex.IsTransient && !givenUp)
        {
            var delay = RetryDelay(attempts);
            state.State.Update(sending with
            {
                State = DeliveryState.Queued,
                SendingSince = null,
                NextAttemptAt = now + delay,
                FailedAttempts = attempts,
                FailureCode = ex.Code,
                FailureReason = MetaErrorTexts.Describe(ex.Code, ex.Details),
            });
            return delay;
        }
        if (ex.Code is { } code && MetaErrorCodes.IsPermissionProblem(code))
        {
            LogOperatorAlert(code, ex.HttpStatus);
        }
        metrics.Failed(sending.Kind, ex.Code);
        state.State.Update(sending with
        {
            State = DeliveryState.Failed,
            SendingSince = null,
            FailedAttempts = attempts,
            FailureCode = ex.Code,
            FailureReason = givenUp
                ? $"Nach {attempts} Versuchen aufgegeben: {MetaErrorTexts.Describe(ex.Code, ex.Details)}"
                : MetaErrorTexts.Describe(ex.Code, ex.Details),
            StateChangedAt = now,
        });
        return null;
    }

    // A durable reminder while anything waits to be sent: after a crash or a restart it wakes the grain, which sends.
    // It is removed by its own tick once the outbox is empty (see ReceiveReminder).
    private async Task EnsureOutboxReminderAsync()
    {
        if (state.State.ForwardTo is null && state.State.HasOutboxWork && _outboxReminder != true)
        {
            await this.RegisterOrUpdateReminder(OutboxReminder, OutboxReminderPeriod, OutboxReminderPeriod);
            _outboxReminder = true;
        }
    }

    private async Task ReleaseOutboxReminderAsync()
    {
        if (state.State.HasOutboxWork || _outboxReminder == false)
        {
            return;
        }
        if (await this.GetReminder(OutboxReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        _outboxReminder = false;
    }

    // Exponential backoff with jitter (±20 %), at most a minute, so that messages go soon after an outage; the
    // jitter keeps many citizens' retries from arriving together.
    private static TimeSpan RetryDelay(int attempts)
    {
        var delay = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(attempts, 10)) * (0.8 + (Random.Shared.NextDouble() * 0.4)));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    // The template a message sends: a broadcast's own, or the tenant's window template; null for free text.
    private static WhatsAppTemplate? TemplateOf(OutboundMessage message, TenantPolicy policy) => message.Kind switch
    {
        OutboundKind.BroadcastTemplate when message.TemplateName is { } name =>
            new WhatsAppTemplate(name, message.TemplateLanguage ?? "de", [.. message.TemplateParameters]),
        OutboundKind.WindowTemplate when policy.Options.WindowTemplate is { } template =>
            new WhatsAppTemplate(template.Name, template.Language, template.BodyParameters),
        _ => null,
    };

    private WhatsAppRecipient Recipient()
    {
        if (state.State.PhoneNumber is { } phone)
        {
            return new WhatsAppRecipient(phone, null);
        }
        return _key.IsBusinessScopedUserId
            ? new WhatsAppRecipient(null, _key.Identity)
            : new WhatsAppRecipient("+" + _key.Identity, null);
    }
}
