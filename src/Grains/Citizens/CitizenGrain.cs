using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// One citizen: records their messages exactly once, acknowledges a new conversation once, and sends the outbox.
/// Every change is written to storage before the call returns, so what the gateway acknowledges to Meta is durable.
/// </summary>
public sealed partial class CitizenGrain(
    [PersistentState("citizen", StorageNames.Citizens)] IPersistentState<CitizenState> state,
    IWhatsAppSender sender,
    IOptions<GoldbachOptions> tenants,
    TimeProvider time,
    ILogger<CitizenGrain> logger) : Grain, ICitizenGrain
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private CitizenKey _key;
    private IGrainTimer? _dispatchTimer;

    // Whether the tenant's inbox is known to hold this activation's newest summary. False after activation: the
    // previous activation may have stored a change and died before the inbox did.
    private bool _inboxCurrent;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = CitizenKey.ParseGrainKey(this.GetPrimaryKeyString());
        DispatchIfPending();
        return Task.CompletedTask;
    }

    public async Task<ReceiveOutcome> ReceiveAsync(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var tenant = RequireTenant();
        var now = time.GetUtcNow();

        if (!state.State.TryRecord(message, now))
        {
            // Meta's retry after our failure: finish what the first attempt may have left undone.
            DispatchIfPending();
            await EnsureInboxCurrentAsync();
            return ReceiveOutcome.Duplicate;
        }
        state.State.QueueAcknowledgementIfDue(tenant.AcknowledgementText, now);

        await PersistAsync();
        DispatchIfPending();
        await PublishSummaryAsync();
        return ReceiveOutcome.Recorded;
    }

    public async Task<OutboundMessage> ReplyAsync(StaffReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (string.IsNullOrWhiteSpace(reply.Text) || reply.Text.Length > OutboundLimits.MaxTextLength)
        {
            throw new ArgumentException($"A reply has 1 to {OutboundLimits.MaxTextLength} characters.", nameof(reply));
        }
        if (!state.State.Exists)
        {
            throw new KeyNotFoundException("This citizen has never written; there is no conversation to reply to.");
        }

        var revision = state.State.Revision;
        var queued = state.State.QueueReply(reply, time.GetUtcNow());
        if (state.State.Revision == revision)
        {
            DispatchIfPending();
            await EnsureInboxCurrentAsync();
            return queued;
        }

        await PersistAsync();
        DispatchIfPending();
        await PublishSummaryAsync();
        return queued;
    }

    public Task<ConversationSnapshot?> GetConversationAsync()
    {
        var current = state.State;
        return Task.FromResult(current.Exists
            ? new ConversationSnapshot(current.ToSummary(_key), [.. current.Inbound], [.. current.Outbound])
            : null);
    }

    private TenantOptions RequireTenant() =>
        tenants.Value.Find(_key.Tenant)
        ?? throw new InvalidOperationException(
            $"No tenant is configured for phone_number_id {_key.Tenant}: add it under Goldbach:Tenants.");

    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The in-memory state now holds a change that storage does not: drop this activation so that the next
            // call reloads what storage really has (and the caller's retry applies the change again).
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task PublishSummaryAsync()
    {
        _inboxCurrent = false;
        await GrainFactory.GetGrain<ITenantInboxGrain>(_key.Tenant).UpsertAsync(state.State.ToSummary(_key));
        _inboxCurrent = true;
    }

    private Task EnsureInboxCurrentAsync() => _inboxCurrent ? Task.CompletedTask : PublishSummaryAsync();

    // Starts sending now if anything waits and no send is already scheduled; a scheduled retry is brought forward.
    private void DispatchIfPending()
    {
        if (state.State.NextToSend() is not null)
        {
            ScheduleDispatch(TimeSpan.Zero);
        }
    }

    private void ScheduleDispatch(TimeSpan dueTime)
    {
        if (_dispatchTimer is null)
        {
            _dispatchTimer = this.RegisterGrainTimer(
                DispatchAsync,
                new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            _dispatchTimer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    // Sends queued messages oldest first. A send that fails transiently stays queued and is tried again later.
    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        while (state.State.NextToSend() is { } next)
        {
            OutboundMessage updated;
            try
            {
                var wamid = await sender.SendTextAsync(_key.Tenant, Recipient(), next.Text, cancellationToken);
                updated = next with { State = DeliveryState.Sent, WhatsAppMessageId = wamid, FailureReason = null };
                LogSent(next.Id, next.Kind);
            }
            catch (WhatsAppApiException ex)
            {
                var attempts = next.FailedAttempts + 1;
                updated = next with
                {
                    State = ex.IsTransient ? DeliveryState.Queued : DeliveryState.Failed,
                    FailedAttempts = attempts,
                    FailureReason = ex.Code is int code ? $"WhatsApp-Fehler {code}: {ex.Details}" : ex.Message,
                };
                LogSendFailed(next.Id, ex.Code, ex.HttpStatus, ex.IsTransient, attempts);
                state.State.Update(updated);
                await PersistAsync();
                await PublishSummaryAsync();
                if (ex.IsTransient)
                {
                    ScheduleDispatch(RetryDelay(attempts));
                    return;
                }
                continue;
            }

            state.State.Update(updated);
            await PersistAsync();
            await PublishSummaryAsync();
        }
    }

    private static TimeSpan RetryDelay(int attempts)
    {
        var seconds = Math.Pow(2, Math.Min(attempts, 10));
        var delay = TimeSpan.FromSeconds(seconds);
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound message {OutboundId} ({Kind}) accepted by the Graph API")]
    private partial void LogSent(string outboundId, OutboundKind kind);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Outbound message {OutboundId} not accepted: Meta code {MetaCode}, HTTP {HttpStatus}, transient {Transient}, attempt {Attempt}")]
    private partial void LogSendFailed(string outboundId, int? metaCode, int? httpStatus, bool transient, int attempt);
}
