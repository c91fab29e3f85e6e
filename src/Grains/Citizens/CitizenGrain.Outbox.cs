using System.Diagnostics;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;
using GoldbachActors.Grains.Outbound;
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
            diagnostics.LogUnmatchedReport(report.Status);
        }
        return outcome;
    }

    private async Task<ReceiveOutcome> ApplyArchivedReportAsync(int number, DeliveryReport report)
    {
        if (await stores.History.ReadPageAsync(_key, number, CancellationToken.None) is not { } page
            || CitizenState.ApplyReport(page, report) is not { } updated)
        {
            return ReceiveOutcome.Duplicate;
        }
        await stores.History.WritePageAsync(_key, updated, CancellationToken.None);
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
        diagnostics.Metrics.Outbox(_key.GrainKey, depth, oldest);
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
        var rules = channel.RulesFor(policy);
        while (state.State.ForwardTo is null && state.State.NextToSend() is { } next)
        {
            var now = time.GetUtcNow();
            if (!next.IsTemplate && !state.State.IsWindowOpen(now))
            {
                // The window closed while the message waited (an outage, a backoff): free text may no longer go out.
                state.State.HoldForWindow(next, now, policy.Options.WindowTemplate?.Name);
                diagnostics.Metrics.WindowClosed(next.Kind);
                await PersistAsync();
                await PublishSummaryAsync();
                continue;
            }
            if (rules.WaitBeforeSending(state.State, next, PerhapsSentSince(next), now) is { } wait)
            {
                Schedule(ref _dispatchTimer, DispatchAsync, wait);
                return;
            }
            // The timer comes back shortly before the slot, so no grain waits blocked and nobody polls.
            var (reserved, askAgainIn) = await ReserveSlotAsync();
            if (reserved is not { } slot)
            {
                Schedule(ref _dispatchTimer, DispatchAsync, askAgainIn);
                return;
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
                // "Since" is the slot: the call never starts before it (see PerhapsSentSince).
                sending = next with { State = DeliveryState.Sending, SendingSince = slot, NextAttemptAt = null };
                rules.TakeToken(state.State, now);
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
            (_handedOver ??= new(StringComparer.Ordinal)).Add(next.Id);
            using var activity = GoldbachActivity.Source.StartActivity("goldbach.outbound.send", ActivityKind.Internal,
                _queuedBy.Remove(next.Id, out var queuedBy) ? queuedBy : default);
            activity?.SetTag("goldbach.outbound.kind", next.Kind.ToString());
            try
            {
                var wamid = await channel.SendAsync(_key, Recipient(), next, policy, cancellationToken);
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
                diagnostics.LogSent(next.Id, next.Kind, _key.GrainKey);
                diagnostics.Metrics.Sent(next.Kind);
            }
            catch (WhatsAppApiException ex)
            {
                var retryIn = RecordFailure(rules, sending, ex);
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
            // Written at once: a message with a wamid is never sent again, even after a crash without a status webhook.
            await PersistAsync();
            await PublishSummaryAsync();
            if (next.BroadcastId is not null)
            {
                await ReportToBroadcastsAsync();
            }
        }
        // The outbox reminder stays until its next tick finds nothing to send: no storage call on the hot path.
    }

    /// <summary>
    /// Marks the message that goes next "sending" in the write that is about to happen anyway (the one recording the
    /// citizen's message, a staff reply or a broadcast), when nothing makes it wait: its send slot is reserved now, and
    /// the send needs no write of its own before the call. Storage says "perhaps sent" from the slot on; an activation
    /// that begins before the slot (after a crash) knows the call cannot have happened (see PerhapsSentSince).
    /// </summary>
    private async Task MarkSendingAheadAsync()
    {
        var now = time.GetUtcNow();
        if (state.State.ForwardTo is not null || state.State.NextToSend() is not { State: DeliveryState.Queued } next
            || (!next.IsTemplate && !state.State.IsWindowOpen(now)))
        {
            return;
        }
        var rules = channel.RulesFor(RequirePolicy());
        if (rules.WaitBeforeSending(state.State, next, null, now) is not null)
        {
            return;
        }
        if (await ReserveSlotAsync() is not ({ } slot, _))
        {
            return;
        }
        rules.TakeToken(state.State, now);
        state.State.Update(next with { State = DeliveryState.Sending, SendingSince = slot, NextAttemptAt = null });
        _notYetHandedOver = next.Id;
    }

    // The business number's send slot (cluster-wide), reserved once however far ahead (at most MaxThroughputWait);
    // no slot when the number has none that near, and when to ask again.
    private async Task<(DateTimeOffset? Slot, TimeSpan AskAgainIn)> ReserveSlotAsync()
    {
        if (_slot is null)
        {
            var grant = await GrainFactory.GetGrain<IThroughputGrain>(_key.Tenant).ReserveAsync(MaxThroughputWait);
            if (!grant.Granted)
            {
                return (null, grant.Delay);
            }
            _slot = time.GetUtcNow() + grant.Delay;
        }
        return (_slot, TimeSpan.Zero);
    }

    // When an earlier attempt at the message may have reached WhatsApp, counted from this activation at the earliest
    // (after a crash, the status webhook that names it may still wait in the gateway's journal); null when none can
    // have: this activation marked it "sending" and has not called yet, or an earlier activation marked it for a slot
    // that had not come when this activation began (calls never start before their slot, and an earlier activation
    // no longer runs once this one does; a second of allowance covers the silos' clocks).
    private DateTimeOffset? PerhapsSentSince(OutboundMessage next)
    {
        if (next.State != DeliveryState.Sending || next.SendingSince is not { } since || next.Id == _notYetHandedOver)
        {
            return null;
        }
        if (_handedOver?.Contains(next.Id) != true && since > _activatedAt + ClockAllowance)
        {
            return null;
        }
        return since > _activatedAt ? since : _activatedAt;
    }

    // Applies the outbox's rules to a failed attempt and tells operators; returns when to try again, or null when the
    // message is done (failed).
    private TimeSpan? RecordFailure(OutboxRules rules, OutboundMessage sending, WhatsAppApiException ex)
    {
        var failure = rules.RecordFailure(state.State, sending, ex, time.GetUtcNow(), Random.Shared.NextDouble());
        diagnostics.LogSendFailed(sending.Id, _key.GrainKey, ex.Code, ex.HttpStatus, ex.IsTransient, ex.IsAmbiguous, failure.Attempts);
        if (failure.OperatorAlert)
        {
            diagnostics.LogOperatorAlert(ex.Code ?? 0, ex.HttpStatus);
        }
        if (failure.RetryIn is null)
        {
            diagnostics.Metrics.Failed(sending.Kind, ex.Code);
        }
        return failure.RetryIn;
    }

    // Registered in the tenant's outbox registry while anything waits to be sent: after a crash or a restart its shard
    // wakes the grain, which sends; the shard forgets the citizen at a tick that finds the outbox empty (WakeOutboxAsync).
    private async Task EnsureOutboxReminderAsync()
    {
        if (state.State.ForwardTo is null && state.State.HasOutboxWork && !_outboxRegistered)
        {
            await GrainFactory.GetGrain<IOutboxRegistryGrain>(IOutboxRegistryGrain.GrainKey(_key)).AddAsync(_key.GrainKey);
            _outboxRegistered = true;
        }
    }

    public async Task<bool> WakeOutboxAsync()
    {
        ResumeBackgroundWork();
        var work = state.State.ForwardTo is null && state.State.HasOutboxWork;
        // Forgotten by the registry now: new work registers again.
        _outboxRegistered = work;
        return work;
    }

    // A per-citizen "outbox" reminder from before the registry: its work moves to the registry, and it goes.
    private async Task ReleaseLegacyOutboxReminderAsync()
    {
        await EnsureOutboxReminderAsync();
        if (await this.GetReminder(OutboxReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

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
