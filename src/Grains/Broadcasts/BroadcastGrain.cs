using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Broadcasts;

/// <summary>
/// One broadcast. Its recipients are the list's members when it started, one table row each. A pump hands them to
/// their citizen grains in batches (each citizen queues its part in its own outbox, idempotently by broadcast id, and
/// the outbox paces it through the tenant's <see cref="Outbound.ThroughputGrain"/>); recipients outside their window
/// first take a place in the <see cref="IMessagingLimitGrain"/>, and those the limit does not allow today wait for
/// the day it does (a durable reminder brings the grain back). Citizens report their progress here; the rows are
/// written every second, and after a crash the grain asks the citizens where their part stands.
/// </summary>
[Reentrant]
public sealed partial class BroadcastGrain(
    IBroadcastStore store,
    TenantPolicies policies,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time,
    Telemetry.GoldbachMetrics metrics,
    Microsoft.Extensions.Options.IOptions<Contracts.Configuration.GoldbachOptions> options,
    ILogger<BroadcastGrain> logger) : Grain, IBroadcastGrain, IRemindable
{
    private const string Reminder = "broadcast";
    private const int BatchSize = 50;
    private const int QueuedAheadSeconds = 10;
    private const string ErasedReason = "Daten auf Wunsch gelöscht";
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, BroadcastRecipient> _recipients = new(StringComparer.Ordinal);
    private readonly List<BroadcastRecipient> _order = [];
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private BroadcastProgress? _header;
    private bool _headerDirty;
    private bool _pumping;
    private bool _flushing;
    private Task? _starting;
    private IGrainTimer? _pumpTimer;
    private string _tenant = "";
    private string _id = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _id) = ListIds.Parse(this.GetPrimaryKeyString());
        _header = await store.LoadBroadcastAsync(_tenant, _id);
        if (_header is null)
        {
            return;
        }
        foreach (var recipient in await store.LoadRecipientsAsync(_tenant, _id))
        {
            Add(recipient);
        }
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushEvery, FlushEvery) { Interleave = true });
        // A previous activation may have died with reports unwritten: ask the citizens, then go on.
        this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    public async Task<BroadcastProgress> StartAsync(BroadcastRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_starting is { } starting)
        {
            await starting;
        }
        if (_header is null)
        {
            var start = StartOnceAsync(request);
            _starting = start;
            try
            {
                await start;
            }
            finally
            {
                _starting = null;
            }
        }
        return Progress();
    }

    private async Task StartOnceAsync(BroadcastRequest request)
    {
        var policy = policies.Find(_tenant) ?? throw new InvalidOperationException($"No tenant is configured for phone_number_id {_tenant}.");
        BroadcastRequestRules.Validate(request, policy);
        var members = await GrainFactory.GetGrain<IBroadcastListGrain>(ListIds.GrainKey(_tenant, request.ListId)).GetMembersAsync();
        foreach (var member in members)
        {
            Add(new BroadcastRecipient(member.CitizenKey, member.Language));
        }
        await store.WriteRecipientsAsync(_tenant, _id, _order);
        var header = new BroadcastProgress
        {
            BroadcastId = _id,
            ListId = request.ListId,
            Title = request.Title.Trim(),
            CreatedBy = request.StaffId,
            CreatedAt = time.GetUtcNow(),
            Content = request.Content,
            Status = BroadcastStatus.Sending,
            Recipients = _order.Count,
        };
        _header = header;
        // The header makes the broadcast exist: written last, so that a crash before it leaves nothing started.
        await store.SaveBroadcastAsync(_tenant, Progress());
        // Ticks until the broadcast is done (also while it waits for the messaging limit: each tick looks at the time).
        var period = options.Value.Schedules.BroadcastContinue;
        await this.RegisterOrUpdateReminder(Reminder, period, period);
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushEvery, FlushEvery) { Interleave = true });
        LogStarted(_id, request.ListId, _order.Count);
        SchedulePump(TimeSpan.Zero);
    }

    public Task<BroadcastProgress?> GetProgressAsync() => Task.FromResult(_header is null ? null : Progress());

    public Task ReportAsync(string citizenKey, RecipientState state, string? reason)
    {
        if (_recipients.TryGetValue(citizenKey ?? "", out var recipient))
        {
            Advance(recipient, state, reason);
        }
        return Task.CompletedTask;
    }

    public Task CountReplyAsync(string citizenKey)
    {
        if (_recipients.TryGetValue(citizenKey ?? "", out var recipient) && !recipient.Replied)
        {
            recipient.Replied = true;
            _dirty.Add(recipient.CitizenKey);
        }
        return Task.CompletedTask;
    }

    public Task ContinueAsync()
    {
        if (_header is { Status: BroadcastStatus.WaitingForLimit, NextBatchAt: { } next } && next <= time.GetUtcNow())
        {
            foreach (var recipient in _order.Where(r => r.State == RecipientState.Deferred))
            {
                recipient.State = RecipientState.Pending;
                _dirty.Add(recipient.CitizenKey);
            }
            _header = _header with { Status = BroadcastStatus.Sending, NextBatchAt = null };
            _headerDirty = true;
        }
        if (_header is { Status: BroadcastStatus.Sending })
        {
            SchedulePump(TimeSpan.Zero);
        }
        return Task.CompletedTask;
    }

    public async Task ForgetRecipientAsync(string citizenKey)
    {
        ArgumentNullException.ThrowIfNull(citizenKey);
        if (_recipients.Remove(citizenKey, out var recipient))
        {
            // The counts keep the recipient as an anonymous stand-in; one not handed to WhatsApp yet counts as skipped.
            var notSent = recipient.State is RecipientState.Pending or RecipientState.Deferred or RecipientState.Queued
                or RecipientState.WaitingForAnswer;
            var standIn = new BroadcastRecipient(CitizenKey.Anonymous(_tenant).GrainKey, recipient.Language)
            {
                State = notSent ? RecipientState.Skipped : recipient.State,
                Reason = notSent ? ErasedReason : recipient.Reason,
                AsTemplate = recipient.AsTemplate,
                Replied = recipient.Replied,
            };
            _order[_order.IndexOf(recipient)] = standIn;
            _recipients[standIn.CitizenKey] = standIn;
            _dirty.Remove(citizenKey);
            await store.WriteRecipientsAsync(_tenant, _id, [standIn]);
        }
        await store.DeleteRecipientAsync(_tenant, _id, citizenKey);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_header is null || (_header.Status == BroadcastStatus.Completed && !_order.Exists(r => r.State == RecipientState.Queued)))
        {
            if (await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            return;
        }
        await ContinueAsync();
    }

    private void SchedulePump(TimeSpan due)
    {
        if (_pumpTimer is null)
        {
            _pumpTimer = this.RegisterGrainTimer(PumpAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        }
        else
        {
            _pumpTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    // Hands pending recipients to their citizens, a batch at a time, keeping at most ten seconds of sending queued ahead
    // (the outboxes pace it): a huge list never floods the cluster with activations, and the activations and writes of
    // the next recipients spread evenly over the broadcast instead of crowding its first seconds, where they made the
    // sending citizens miss their slots.
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        if (_pumping || _header is not { Status: BroadcastStatus.Sending, Content: { } content } header)
        {
            return;
        }
        _pumping = true;
        try
        {
            var policy = policies.Find(_tenant) ?? throw new InvalidOperationException($"No tenant {_tenant}.");
            var aheadLimit = policy.Options.MessagesPerSecond * QueuedAheadSeconds;
            var send = new BroadcastSend(_id, header.ListId, content);
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = _order.Where(r => r.State == RecipientState.Pending).Take(BatchSize).ToList();
                if (batch.Count == 0)
                {
                    break;
                }
                if (_order.Count(r => r.State == RecipientState.Queued) >= aheadLimit)
                {
                    SchedulePump(TimeSpan.FromSeconds(1));
                    return;
                }
                var first = await Task.WhenAll(batch.Select(async r => (Recipient: r, Delivery: await Citizen(r).QueueBroadcastAsync(send, templateAllowed: false))));
                var outsideWindow = new List<BroadcastRecipient>();
                foreach (var (recipient, delivery) in first)
                {
                    if (delivery.State == RecipientState.Pending)
                    {
                        outsideWindow.Add(recipient);
                    }
                    else
                    {
                        Apply(recipient, delivery);
                    }
                }
                if (outsideWindow.Count > 0)
                {
                    await ReachOutsideWindowAsync(outsideWindow, send);
                }
            }
            if (!_order.Exists(r => r.State == RecipientState.Pending))
            {
                var deferred = _order.Count(r => r.State == RecipientState.Deferred);
                _header = deferred > 0
                    ? _header with { Status = BroadcastStatus.WaitingForLimit }
                    : _header with { Status = BroadcastStatus.Completed, CompletedAt = time.GetUtcNow(), NextBatchAt = null };
                _headerDirty = true;
                if (deferred > 0)
                {
                    LogDeferred(_id, deferred, _header.NextBatchAt);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A citizen or storage did not answer: everything so far is idempotent, so the pump simply goes on later.
            LogPumpFailed(_id, ex.GetType().Name);
            SchedulePump(RetryAfter);
        }
        finally
        {
            _pumping = false;
        }
    }

    // Outside their window a citizen can only be reached by a template, which counts against Meta's messaging limit:
    // those the limit allows now are queued, the others wait for the day it allows them.
    private async Task ReachOutsideWindowAsync(List<BroadcastRecipient> recipients, BroadcastSend send)
    {
        var grant = await GrainFactory.GetGrain<IMessagingLimitGrain>(_tenant).ReachAsync([.. recipients.Select(r => r.CitizenKey)]);
        var granted = grant.Granted.ToHashSet(StringComparer.Ordinal);
        var queued = await Task.WhenAll(recipients.Where(r => granted.Contains(r.CitizenKey))
            .Select(async r => (Recipient: r, Delivery: await Citizen(r).QueueBroadcastAsync(send, templateAllowed: true))));
        foreach (var (recipient, delivery) in queued)
        {
            Apply(recipient, delivery.State == RecipientState.Pending ? delivery with { State = RecipientState.Deferred } : delivery);
        }
        foreach (var recipient in recipients.Where(r => !granted.Contains(r.CitizenKey)))
        {
            metrics.BroadcastRecipient(RecipientState.Deferred, true);
            recipient.State = RecipientState.Deferred;
            recipient.AsTemplate = true;
            _dirty.Add(recipient.CitizenKey);
        }
        if (grant.NextCapacityAt is { } next && _header is { } header)
        {
            _header = header with { NextBatchAt = header.NextBatchAt is { } earlier && earlier <= next ? earlier : next };
            _headerDirty = true;
        }
    }

    private ICitizenGrain Citizen(BroadcastRecipient recipient) => GrainFactory.GetGrain<ICitizenGrain>(recipient.CitizenKey);

    private void Apply(BroadcastRecipient recipient, BroadcastDelivery delivery)
    {
        if (delivery.Language is { } language && recipient.Language != language)
        {
            recipient.Language = language;
            _dirty.Add(recipient.CitizenKey);
        }
        if (delivery.AsTemplate && !recipient.AsTemplate)
        {
            recipient.AsTemplate = true;
            _dirty.Add(recipient.CitizenKey);
        }
        if (recipient.State is RecipientState.Pending or RecipientState.Deferred)
        {
            metrics.BroadcastRecipient(delivery.State, recipient.AsTemplate);
            recipient.State = delivery.State;
            recipient.Reason = delivery.Reason;
            _dirty.Add(recipient.CitizenKey);
            return;
        }
        Advance(recipient, delivery.State, delivery.Reason);
    }

    // Reports arrive out of order and more than once: a recipient only moves forward (a failure ends one that was not
    // delivered; a later delivered or read proves it arrived after all).
    private void Advance(BroadcastRecipient recipient, RecipientState reported, string? reason)
    {
        var current = recipient.State;
        var forward = reported switch
        {
            _ when reported == current => false,
            RecipientState.Pending or RecipientState.Deferred => false,
            RecipientState.Skipped => current is RecipientState.Pending or RecipientState.Deferred,
            RecipientState.Failed => Rank(current) < Rank(RecipientState.Delivered),
            _ when current == RecipientState.Failed => reported is RecipientState.Delivered or RecipientState.Read,
            _ => Rank(reported) > Rank(current),
        };
        if (forward)
        {
            recipient.State = reported;
            recipient.Reason = reported is RecipientState.Failed or RecipientState.Skipped ? reason : null;
            _dirty.Add(recipient.CitizenKey);
        }
    }

    private static int Rank(RecipientState state) => state switch
    {
        RecipientState.Pending or RecipientState.Deferred => 0,
        RecipientState.Queued => 1,
        RecipientState.WaitingForAnswer => 2,
        RecipientState.Sent => 3,
        RecipientState.Delivered => 4,
        RecipientState.Read => 5,
        _ => 6,
    };

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var open = _order.Where(r => r.State is RecipientState.Queued or RecipientState.WaitingForAnswer or RecipientState.Sent or RecipientState.Delivered
            && !CitizenKey.ParseGrainKey(r.CitizenKey).IsAnonymous).ToList();
        try
        {
            foreach (var chunk in open.Chunk(100))
            {
                var answers = await Task.WhenAll(chunk.Select(async r => (Recipient: r, Delivery: await Citizen(r).GetBroadcastDeliveryAsync(_id))));
                foreach (var (recipient, delivery) in answers)
                {
                    if (delivery is not null)
                    {
                        Advance(recipient, delivery.State, delivery.Reason);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPumpFailed(_id, ex.GetType().Name);
        }
        if (_header is { Status: BroadcastStatus.Sending })
        {
            SchedulePump(TimeSpan.Zero);
        }
        else if (_header is { Status: BroadcastStatus.WaitingForLimit })
        {
            await ContinueAsync();
        }
    }

    // Writes the changed recipients and the progress, at most once a second.
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_flushing || _header is null || (_dirty.Count == 0 && !_headerDirty))
        {
            return;
        }
        _flushing = true;
        // A recipient forgotten meanwhile (erased) is no longer in the dictionary: nothing of theirs is written.
        var changed = _dirty.Where(_recipients.ContainsKey).Select(key => _recipients[key]).ToList();
        _dirty.Clear();
        _headerDirty = false;
        try
        {
            await store.WriteRecipientsAsync(_tenant, _id, changed);
            await store.SaveBroadcastAsync(_tenant, Progress());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var recipient in changed)
            {
                _dirty.Add(recipient.CitizenKey);
            }
            _headerDirty = true;
            LogFlushFailed(_id, ex.GetType().Name);
        }
        finally
        {
            _flushing = false;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private void Add(BroadcastRecipient recipient)
    {
        if (_recipients.TryAdd(recipient.CitizenKey, recipient))
        {
            _order.Add(recipient);
        }
    }

    private BroadcastProgress Progress()
    {
        var header = _header!;
        var byState = new Dictionary<RecipientState, int>();
        var failed = new Dictionary<string, int>(StringComparer.Ordinal);
        var replies = 0;
        foreach (var recipient in _order)
        {
            byState[recipient.State] = byState.GetValueOrDefault(recipient.State) + 1;
            if (recipient.State is RecipientState.Failed or RecipientState.Skipped)
            {
                var reason = recipient.Reason ?? "Unbekannt";
                failed[reason] = failed.GetValueOrDefault(reason) + 1;
            }
            if (recipient.Replied)
            {
                replies++;
            }
        }
        return header with
        {
            Recipients = _order.Count,
            ByState = byState.ToImmutableDictionary(),
            FailedByReason = failed.ToImmutableDictionary(),
            Replies = replies,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast {BroadcastId} to list {ListId} started for {Recipients} recipients")]
    private partial void LogStarted(string broadcastId, string listId, int recipients);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast {BroadcastId}: {Deferred} recipients wait for the messaging limit until {NextBatchAt}")]
    private partial void LogDeferred(string broadcastId, int deferred, DateTimeOffset? nextBatchAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcast {BroadcastId}: handing out paused ({Error}); it goes on shortly")]
    private partial void LogPumpFailed(string broadcastId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcast {BroadcastId}: progress not written ({Error}); tried again")]
    private partial void LogFlushFailed(string broadcastId, string error);
}
