using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// The outbox's rules on the citizen state: when the next message may go (its backoff, the citizen's 131056 backoff,
/// the per-recipient pace, the grace after an ambiguous attempt), and what a failed attempt means for it.
/// </summary>
/// <param name="PerRecipient">The pace towards one citizen (staff numbers have none).</param>
/// <param name="AmbiguousSendGrace">How long a perhaps-sent message waits for a status webhook before it goes again.</param>
public sealed record OutboxRules(RateLimitOptions PerRecipient, TimeSpan AmbiguousSendGrace)
{
    // A transiently failing send is retried at most a minute apart: 500 attempts or a day, whichever comes first.
    public const int MaxSendAttempts = 500;
    public static readonly TimeSpan MaxSendAge = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long <paramref name="next"/> must still wait; null: send now. <paramref name="perhapsSentSince"/> is when an
    /// earlier attempt may have reached WhatsApp (counted from the grain's activation at the earliest: after a crash the
    /// status webhook that names the message may still wait in the gateway's journal); null when none did.
    /// </summary>
    public TimeSpan? WaitBeforeSending(CitizenState state, OutboundMessage next, DateTimeOffset? perhapsSentSince, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(next);
        var until = next.NextAttemptAt;
        if (state.RecipientBackoffUntil is { } backoff && (until is null || backoff > until))
        {
            until = backoff;
        }
        if (perhapsSentSince is { } since && (until is null || since + AmbiguousSendGrace > until))
        {
            until = since + AmbiguousSendGrace;
        }
        var wait = until is { } at ? at - now : TimeSpan.Zero;
        if (state.Section != InboxSection.Staff)
        {
            var pace = (state.OutboundBucket ?? TokenBucket.Full(PerRecipient, now)).WaitTime(PerRecipient, now);
            wait = pace > wait ? pace : wait;
        }
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>Takes the citizen's token for a send about to start (staff numbers are not paced).</summary>
    public void TakeToken(CitizenState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Section != InboxSection.Staff)
        {
            state.OutboundBucket = (state.OutboundBucket ?? TokenBucket.Full(PerRecipient, now)).Take(PerRecipient, now, out _);
        }
    }

    /// <summary>
    /// Records a failed attempt at <paramref name="sending"/>: perhaps sent (wait for a status), the citizen throttled
    /// (back off for them only, 4^X seconds), transient (retried with jittered backoff, given up after
    /// <see cref="MaxSendAttempts"/> or <see cref="MaxSendAge"/>), or failed for good with its reason for staff.
    /// <paramref name="jitter"/> in [0, 1) spreads many citizens' retries (±20 %).
    /// </summary>
    public SendFailure RecordFailure(CitizenState state, OutboundMessage sending, WhatsAppApiException failure, DateTimeOffset now, double jitter)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(sending);
        ArgumentNullException.ThrowIfNull(failure);
        var attempts = sending.FailedAttempts + 1;
        if (failure.IsAmbiguous)
        {
            // Perhaps sent: stay "sending" and wait for a status webhook that names this message (it carries our id
            // in the callback data); without one within the grace period it is sent again (see docs/outbound.md).
            state.Update(sending with { FailedAttempts = attempts, FailureReason = "Zeitüberschreitung: Zustellung ungewiss, wird geprüft." });
            return new SendFailure(attempts, AmbiguousSendGrace, OperatorAlert: false);
        }
        var reason = MetaErrorTexts.Describe(failure.Code, failure.Details);
        if (failure.Code == MetaErrorCodes.RecipientThrottled)
        {
            state.RecipientThrottles = Math.Min(state.RecipientThrottles + 1, 6);
            var backoff = TimeSpan.FromSeconds(Math.Pow(4, state.RecipientThrottles));
            state.RecipientBackoffUntil = now + backoff;
            state.Update(sending with { State = DeliveryState.Queued, SendingSince = null, FailedAttempts = attempts, FailureCode = failure.Code, FailureReason = reason });
            return new SendFailure(attempts, backoff, OperatorAlert: false);
        }
        // Not for ever: after hours of transient failures the message fails visibly, with its reason, for staff to see.
        var givenUp = failure.IsTransient && (attempts >= MaxSendAttempts || now - sending.CreatedAt > MaxSendAge);
        if (failure.IsTransient && !givenUp)
        {
            var delay = RetryDelay(attempts, jitter);
            state.Update(sending with
            {
                State = DeliveryState.Queued,
                SendingSince = null,
                NextAttemptAt = now + delay,
                FailedAttempts = attempts,
                FailureCode = failure.Code,
                FailureReason = reason,
            });
            return new SendFailure(attempts, delay, OperatorAlert: false);
        }
        state.Update(sending with
        {
            State = DeliveryState.Failed,
            SendingSince = null,
            FailedAttempts = attempts,
            FailureCode = failure.Code,
            FailureReason = givenUp ? $"Nach {attempts} Versuchen aufgegeben: {reason}" : reason,
            StateChangedAt = now,
        });
        return new SendFailure(attempts, RetryIn: null, failure.Code is { } code && MetaErrorCodes.IsPermissionProblem(code));
    }

    /// <summary>Exponential backoff with jitter (±20 %), at most a minute, so that work resumes soon after an outage.</summary>
    public static TimeSpan RetryDelay(int attempts, double jitter)
    {
        var delay = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(attempts, 10)) * (0.8 + (jitter * 0.4)));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }
}

/// <summary>
/// What a failed attempt meant: the attempts so far, when to try again (null: the message failed for good), and
/// whether the refusal concerns the access token or the app's permissions (an operator's alert).
/// </summary>
public readonly record struct SendFailure(int Attempts, TimeSpan? RetryIn, bool OperatorAlert);
