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

/// <summary>
/// One citizen: records their messages exactly once, acknowledges a new conversation once, sends the outbox, keeps
/// delivery states, stores their media, and keeps one conversation when WhatsApp changes their identity. Every change
/// is written to storage before the call returns, so what the gateway acknowledges to Meta is durable.
/// </summary>
public sealed partial class CitizenGrain(
    [PersistentState("citizen", StorageNames.Citizens)] IPersistentState<CitizenState> state,
    IWhatsAppSender sender,
    MediaDownloader media,
    IConversationHistoryStore history,
    TenantPolicies policies,
    IOptions<GraphApiOptions> graphApi,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time,
    GoldbachMetrics metrics,
    StaffAuditLog audit,
    AzureTableBroadcastStore broadcastStore,
    IErasureTombstones tombstones,
    ILogger<CitizenGrain> logger) : Grain, ICitizenGrain, IRemindable
{
    private const int MaxMediaAttempts = 5;
    // A transiently failing send is retried at most a minute apart: 500 attempts or a day, whichever comes first.
    private const int MaxSendAttempts = 500;
    private static readonly TimeSpan MaxSendAge = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private CitizenKey _key;
    private IGrainTimer? _dispatchTimer;
    private IGrainTimer? _mediaTimer;
    private const string SnoozeReminder = "snooze";
    private const string OutboxReminder = "outbox";
    private static readonly TimeSpan OutboxReminderPeriod = TimeSpan.FromMinutes(1);
    // How far ahead a send slot may be reserved, and how early the timer wakes before it (the "sending" write).
    private static readonly TimeSpan MaxThroughputWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SlotLead = TimeSpan.FromMilliseconds(600);
    // A send at most this late still uses its slot: slots run 8 % under the limit (see ThroughputGrain), which leaves
    // room for this lateness and for the network's jitter before any one second holds more than the limit.
    private static readonly TimeSpan SlotTolerance = TimeSpan.FromMilliseconds(30);

    // The send slot this activation reserved for its next message, if any (lost with the activation: a wasted slot).
    private DateTimeOffset? _slot;

    private DateTimeOffset _activatedAt;

    // The outbound message this activation marked "sending" but has not handed to the Graph API yet (it waits for a
    // send slot): no grace period applies to it.
    private string? _notYetHandedOver;

    // The trace of the call that queued each message (a webhook, a staff reply), so that its sending joins that trace.
    // Memory only: after a restart a message is sent in a trace of its own.
    private readonly Dictionary<string, ActivityContext> _queuedBy = [];

    // Whether this grain's outbox reminder is registered; null after activation (not known).
    private bool? _outboxReminder;

    // Whether the tenant's inbox is known to hold this activation's newest summary. False after activation: the
    // previous activation may have stored a change and died before the inbox did.
    private bool _inboxCurrent;

    // What this activation last gave the inbox; a change the inbox does not show (a wamid recorded, a delivery
    // state) costs no index write.
    private ConversationSummary? _published;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = CitizenKey.ParseGrainKey(this.GetPrimaryKeyString());
        _activatedAt = time.GetUtcNow();
        await WakeIfSnoozeOverAsync();
        ResumeBackgroundWork();
    }

    public async Task<ReceiveOutcome> ReceiveAsync(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var policy = RequirePolicy();
        if (state.State.Erasure is { } erasing)
        {
            // A message after an erasure began starts afresh once the erasure is done (else it would be swept too); until
            // then it stays in the gateway's journal and comes again.
            if (!(await EraseCoreAsync(erasing.Erasure, erasing.KeepConsent)).Finished)
            {
                throw new InvalidOperationException("An erasure of this citizen is under way; the message is recorded once it is done.");
            }
        }
        var now = time.GetUtcNow();
        if (!state.RecordExists && await tombstones.FindAsync(_key, now) is { } erased
            && (message.SentAt < WholeSeconds(erased.ErasedAt) || erased.Digests.Contains(CitizenState.Digest(message.DeduplicationKey))))
        {
            // Meta's (or the journal's) redelivery of what was erased: it stays erased. What the citizen writes after
            // the erasure starts afresh.
            LogErasedRedelivery(_key.GrainKey);
            return ReceiveOutcome.Duplicate;
        }

        if (_key.IsBusinessScopedUserId && state.State.PhoneNumber is null && message.PhoneNumber is { } number
            && CitizenKey.IsValidIdentity(number.TrimStart('+'))
            && policy.Options.Lists.Count > 0 && !state.State.HasProcessed(message.DeduplicationKey))
        {
            // Staff may have added this number to a list before the citizen ever wrote: what that identity holds
            // (memberships, a broadcast waiting for the window) belongs to this citizen.
            var byNumber = CitizenKey.Create(_key.Tenant, number.TrimStart('+')).GrainKey;
            if (!state.State.FoldedKeys.Contains(byNumber) && !state.State.PendingAliases.Contains(byNumber)
                && await GrainFactory.GetGrain<ICitizenGrain>(byNumber).HandOverToAsync(_key.GrainKey) is { } held
                && (held.Outbound.Length > 0 || held.Memberships.Length > 0 || held.ConsentHistory.Length > 0 || held.Inbound.Length > 0))
            {
                state.State.PendingAliases.Add(byNumber);
                await FoldPendingAliasesAsync();
            }
        }
        if (!state.State.HasProcessed(message.DeduplicationKey) && state.State.BroadcastAnsweredBy(message) is { } answered)
        {
            message = message with { ReplyToBroadcast = answered };
        }
        // The citizen's answer releases a broadcast text held for the window: that text is their answer, no
        // acknowledgement on top.
        var releasesBroadcast = state.State.Outbound.Exists(m => m.Kind == OutboundKind.Broadcast && m.State == DeliveryState.WaitingForWindow);
        if (!state.State.TryRecord(message, now, policy.Rules))
        {
            // Meta's retry after our failure: finish what the first attempt may have left undone.
            await EnsureOutboxReminderAsync();
            ResumeBackgroundWork();
            await FoldPendingAliasesAsync();
            await EnsureInboxCurrentAsync();
            await SyncAllListsAsync();
            return ReceiveOutcome.Duplicate;
        }
        if (message.System is { } notice)
        {
            ApplyIdentityChange(notice);
        }
        var staff = policy.IsStaff(_key, state.State.PhoneNumber);
        if (staff)
        {
            state.State.MoveToStaffSection();
        }
        var listsChanged = ApplyConsentCommand(message, policy, now);
        if (listsChanged is not null)
        {
            // Nothing but a keyword: confirmed, and no work for staff.
            state.State.ResolveKeywordConversation(message.SentAt, now);
        }
        else if (message.Type is not ("reaction" or "system"))
        {
            var calendar = policy.Calendar;
            if (state.State.ApplyTriage(policy.Triage.Assess(message.Text), message.SentAt, calendar?.NextOpeningAfter(message.SentAt)))
            {
                LogEscalated(_key.GrainKey, state.State.Category);
            }
            var wasFlooding = state.State.Flooding;
            if (releasesBroadcast)
            {
                state.State.SkipAcknowledgement();
            }
            if (staff || !state.State.TakeInboundToken(policy.Options.FloodLimit, now))
            {
                // Staff numbers coordinate among themselves; a flood gets no further acknowledgements.
                state.State.SkipAcknowledgement();
                if (!wasFlooding && state.State.Flooding)
                {
                    metrics.FloodFlagged();
                }
            }
            else if (state.State.QueueAcknowledgementIfDue(
                AcknowledgementTexts.Choose(policy.Options, calendar, now, state.State.Language), now, policy.Rules) is { } acknowledgement)
            {
                _queuedBy[acknowledgement.Id] = Activity.Current?.Context ?? default;
                metrics.Acknowledgement(state.State.Language);
                if (acknowledgement.State is DeliveryState.Failed or DeliveryState.WaitingForWindow)
                {
                    metrics.WindowClosed(acknowledgement.Kind);
                }
            }
        }

        await PersistAsync();
        await ArchiveAsync();
        await EnsureOutboxReminderAsync();
        ResumeBackgroundWork();
        await FoldPendingAliasesAsync();
        await PublishSummaryAsync();
        if (listsChanged is not null)
        {
            await SyncListsAsync(listsChanged);
        }
        await CountBroadcastReplyAsync(message.ReplyToBroadcast);
        if (releasesBroadcast)
        {
            await ReportToBroadcastsAsync();
        }
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
        var now = time.GetUtcNow();
        var conversationStart = state.State.AwaitingFirstResponse ? state.State.ConversationStartedAt : null;
        var queued = state.State.QueueReply(reply, now, RequirePolicy().Options.WindowTemplate?.Name);
        if (state.State.Revision != revision)
        {
            _queuedBy[queued.Id] = Activity.Current?.Context ?? default;
            await PersistAsync();
            if (conversationStart is { } start)
            {
                metrics.FirstResponse(RequirePolicy().Calendar is { } calendar ? calendar.WorkingTimeBetween(start, now) : now - start);
            }
            if (queued.State == DeliveryState.WaitingForWindow)
            {
                metrics.WindowClosed(queued.Kind);
            }
            await ArchiveAsync();
            await EnsureOutboxReminderAsync();
            ResumeBackgroundWork();
            await PublishSummaryAsync();
            return queued;
        }
        await EnsureOutboxReminderAsync();
        ResumeBackgroundWork();
        await EnsureInboxCurrentAsync();
        return queued;
    }

    public async Task<ConversationSnapshot?> GetConversationAsync()
    {
        await WakeIfSnoozeOverAsync();
        var current = state.State;
        return current.Exists
            ? new ConversationSnapshot(current.ToSummary(_key), [.. current.Inbound], [.. current.Outbound])
            {
                Events = [.. current.Events],
                ArchivedPages = current.ArchivedPages,
            }
            : null;
    }

    public async Task<HistoryPage?> GetHistoryPageAsync(int number)
    {
        return number >= 1 && number <= state.State.ArchivedPages
            ? await history.ReadPageAsync(_key, number, CancellationToken.None)
            : null;
    }

    public async Task<ConversationSummary> ChangeStatusAsync(StatusChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireStaffId(change.StaffId);
        var policy = RequirePolicy();
        RequireConversation();
        var now = time.GetUtcNow();
        state.State.WakeIfSnoozeOver(now);
        var nextWorkingDay = policy.Calendar?.NextOpeningAfter(now) ?? now.AddDays(1);
        return await ChangeAsync(() => state.State.ChangeStatus(change, now, nextWorkingDay), ScheduleSnoozeWakeAsync);
    }

    public async Task<ConversationEvent> AddNoteAsync(StaffNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        RequireStaffId(note.StaffId);
        if (string.IsNullOrWhiteSpace(note.Text) || note.Text.Length > OutboundLimits.MaxTextLength)
        {
            throw new ArgumentException($"A note has 1 to {OutboundLimits.MaxTextLength} characters.", nameof(note));
        }
        RequireConversation();
        var revision = state.State.Revision;
        var recorded = state.State.AddNote(note, time.GetUtcNow());
        if (state.State.Revision != revision)
        {
            await PersistAsync();
            await ArchiveAsync();
        }
        return recorded;
    }

    public async Task<ConversationSummary> AssignAsync(string? assignee, string staffId)
    {
        RequireStaffId(staffId);
        if (assignee is not null)
        {
            RequireStaffId(assignee);
        }
        RequireConversation();
        return await ChangeAsync(() => state.State.Assign(assignee, staffId, time.GetUtcNow()));
    }

    public async Task<ConversationSummary> SetPriorityAsync(ConversationPriority priority, string staffId)
    {
        RequireStaffId(staffId);
        RequireConversation();
        if (!Enum.IsDefined(priority))
        {
            throw new ArgumentException($"{priority} is not a priority.", nameof(priority));
        }
        return await ChangeAsync(() => state.State.SetPriority(priority, staffId, time.GetUtcNow()));
    }

    public async Task<ConversationSummary> MarkReadAsync(string staffId)
    {
        RequireStaffId(staffId);
        RequireConversation();
        return await ChangeAsync(() =>
        {
            state.State.MarkRead(staffId, time.GetUtcNow());
            return true;
        });
    }

    // Applies a staff change; when it changed something, stores it (then runs afterStored) and tells the inbox.
    private async Task<ConversationSummary> ChangeAsync(Func<bool> change, Func<Task>? afterStored = null)
    {
        if (change())
        {
            await PersistAsync();
            await ArchiveAsync();
            if (afterStored is not null)
            {
                await afterStored();
            }
            await PublishSummaryAsync();
        }
        return state.State.ToSummary(_key);
    }

    public async Task<ConversationSummary> SetCategoryAsync(string category, string staffId)
    {
        ArgumentNullException.ThrowIfNull(category);
        RequireStaffId(staffId);
        var policy = RequirePolicy();
        RequireConversation();
        if (!policy.Categories.Contains(category))
        {
            throw new ArgumentException(
                $"'{category}' is not a category of this tenant; choose one of: {string.Join(", ", policy.Categories)}.", nameof(category));
        }
        return await ChangeAsync(() => state.State.ChooseCategory(category, staffId, time.GetUtcNow()));
    }

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

    public async Task<CitizenHandover> HandOverToAsync(string canonicalGrainKey)
    {
        var keeper = CitizenKey.ParseGrainKey(canonicalGrainKey);
        if (keeper.Tenant != _key.Tenant || keeper == _key)
        {
            throw new ArgumentException("A citizen's identities are handed over within one tenant, to another key.", nameof(canonicalGrainKey));
        }
        if ((state.State.ForwardTo is { } existing && existing != canonicalGrainKey) || state.State.IsBlank)
        {
            // Already another citizen's identity, or never used: nothing of its own to hand over.
            return new CitizenHandover([], [], false, null, null);
        }
        if (state.State.ForwardTo is null)
        {
            state.State.ForwardTo = canonicalGrainKey;
            state.State.Revision++;
            await PersistAsync();
        }
        // The whole history moves: archived pages first (oldest), then the hot state.
        var handover = state.State.ToHandover();
        var inbound = new List<InboundMessage>();
        var outbound = new List<OutboundMessage>();
        for (var number = 1; number <= state.State.ArchivedPages; number++)
        {
            if (await history.ReadPageAsync(_key, number, CancellationToken.None) is { } page)
            {
                inbound.AddRange(page.Inbound);
                outbound.AddRange(page.Outbound);
            }
        }
        return inbound.Count + outbound.Count == 0
            ? handover
            : handover with { Inbound = [.. inbound, .. handover.Inbound], Outbound = [.. outbound, .. handover.Outbound] };
    }

    public async Task CompleteHandOverAsync()
    {
        // An identity staff added to a list holds no conversation, only memberships: those must go too.
        if (state.State.ForwardTo is not { } keeper
            || (!state.State.Exists && state.State.Outbound.Count == 0 && state.State.Memberships.Count == 0 && state.State.ConsentHistory.Count == 0))
        {
            return;
        }
        await history.DeleteAllAsync(_key, CancellationToken.None);
        var lists = state.State.Memberships.Select(m => m.ListId).ToList();
        state.State.BecomeAlias(keeper);
        await PersistAsync();
        // The keeper is in these lists now; this identity leaves them.
        await SyncListsAsync(lists);
        _dispatchTimer?.Dispose();
        _mediaTimer?.Dispose();
        await GrainFactory.GetGrain<ITenantInboxGrain>(_key.Tenant).RemoveAsync(_key.GrainKey);
    }

    // WhatsApp reports a new number (user_changed_number) or a new user id (user_changed_user_id): messages under
    // the new identity must land in this conversation, and anything already collected there is folded in.
    private void ApplyIdentityChange(SystemNotice notice)
    {
        if (notice.NewWaId is { } waId && CitizenKey.IsValidIdentity(waId))
        {
            state.State.PhoneNumber = "+" + waId;
            AddAlias(waId);
        }
        if (notice.NewUserId is { } userId && CitizenKey.IsValidIdentity(userId))
        {
            AddAlias(userId);
        }

        void AddAlias(string identity)
        {
            var alias = CitizenKey.Create(_key.Tenant, identity).GrainKey;
            if (alias != _key.GrainKey && !state.State.PendingAliases.Contains(alias))
            {
                state.State.PendingAliases.Add(alias);
            }
        }
    }

    private async Task FoldPendingAliasesAsync()
    {
        while (state.State.PendingAliases.Count > 0)
        {
            var aliasKey = state.State.PendingAliases[0];
            var alias = GrainFactory.GetGrain<ICitizenGrain>(aliasKey);
            var handover = await alias.HandOverToAsync(_key.GrainKey);
            state.State.Absorb(handover, time.GetUtcNow());
            if (handover.Memberships.Length > 0 || handover.Outbound.Any(m => m.BroadcastId is not null))
            {
                state.State.FoldedKeys.Add(aliasKey);
            }
            if (!state.State.FormerKeys.Contains(aliasKey))
            {
                state.State.FormerKeys.Add(aliasKey);
            }
            state.State.PendingAliases.RemoveAt(0);
            await PersistAsync();
            await alias.CompleteHandOverAsync();
            await SyncListsAsync(handover.Memberships.Select(m => m.ListId));
            LogIdentityFolded(handover.Inbound.Length);
        }
    }

    private TenantPolicy RequirePolicy() =>
        policies.Find(_key.Tenant)
        ?? throw new InvalidOperationException(
            $"No tenant is configured for phone_number_id {_key.Tenant}: add it under Goldbach:Tenants.");

    private void RequireConversation()
    {
        if (!state.State.Exists)
        {
            throw new KeyNotFoundException("This citizen has never written; there is no conversation to change.");
        }
    }

    private static void RequireStaffId(string staffId)
    {
        if (string.IsNullOrWhiteSpace(staffId) || staffId == ConversationEvent.SystemActor)
        {
            throw new ArgumentException("A change by staff names the staff member.", nameof(staffId));
        }
    }

    // After a write: pages that are due now (PersistAsync archives before it writes, so this rarely finds any).
    private async Task ArchiveAsync()
    {
        var archived = state.State.ArchivedPages;
        if (state.State.NextPageToArchive() is null)
        {
            return;
        }
        await ArchiveBeforeWriteAsync();
        if (state.State.ArchivedPages != archived)
        {
            await PersistAsync();
        }
    }

    // Moves the oldest history out of the hot state, a page at a time, before the state is written, so that the row
    // stays small. A failure leaves everything in the state (larger for a while, up to MaxHotEntries) and is tried
    // again with the next write.
    private async Task ArchiveBeforeWriteAsync()
    {
        try
        {
            while (state.State.NextPageToArchive() is { } page)
            {
                await history.WritePageAsync(_key, page, CancellationToken.None);
                state.State.CommitArchive(page, time.GetUtcNow());
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or TimeoutException or OperationCanceledException)
        {
            LogArchiveFailed(ex);
        }
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

    private async Task WakeIfSnoozeOverAsync()
    {
        if (state.State.WakeIfSnoozeOver(time.GetUtcNow()))
        {
            await PersistAsync();
            await PublishSummaryAsync();
        }
    }

    // A durable reminder opens a snoozed conversation at its time, whether or not the grain is active then. One
    // reminder per grain, moved with every snooze; it ends itself once the conversation is no longer snoozed.
    private async Task ScheduleSnoozeWakeAsync()
    {
        if (state.State.Status != ConversationStatus.Snoozed || state.State.SnoozedUntil is not { } until)
        {
            return;
        }
        var due = until - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(SnoozeReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, TimeSpan.FromHours(1));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ErasureReminder)
        {
            await ResumeErasureAsync();
            return;
        }
        if (reminderName == OutboxReminder)
        {
            ResumeBackgroundWork();
            if (!state.State.HasOutboxWork)
            {
                await ReleaseOutboxReminderAsync();
            }
            return;
        }
        if (reminderName != SnoozeReminder)
        {
            return;
        }
        await WakeIfSnoozeOverAsync();
        if (state.State.Status != ConversationStatus.Snoozed && await this.GetReminder(SnoozeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task PersistAsync()
    {
        await ArchiveBeforeWriteAsync();
        try
        {
            if (state.State.IsOversized)
            {
                throw new InvalidOperationException(
                    "The citizen's history cannot be archived (history storage?) and the state is full: the change is refused and comes again.");
            }
            await state.WriteStateAsync();
            ReportOutbox();
        }
        catch
        {
            // The in-memory state now holds a change that storage does not: drop this activation so that the next
            // call reloads what storage really has (and the caller's retry applies the change again).
            DeactivateOnIdle();
            throw;
        }
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

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Outbox(_key.GrainKey, 0, null);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task PublishSummaryAsync()
    {
        _inboxCurrent = false;
        var summary = state.State.ToSummary(_key);
        if (state.State.Exists && (_published is null || _published != summary with { Revision = _published.Revision }))
        {
            await GrainFactory.GetGrain<ITenantInboxGrain>(_key.Tenant).UpsertAsync(summary);
            _published = summary;
        }
        _inboxCurrent = true;
    }

    private Task EnsureInboxCurrentAsync() => _inboxCurrent ? Task.CompletedTask : PublishSummaryAsync();

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

    // Copies announced media into blob storage, after the webhook was answered. A transient failure is tried again
    // (the media id lives 7 days); a permanent one, or the fifth, marks the file failed for staff to see.
    private async Task StoreMediaAsync(CancellationToken cancellationToken)
    {
        while (state.State.ForwardTo is null && state.State.NextMediaToStore() is { Media: { } pending } message)
        {
            MediaAttachment updated;
            try
            {
                updated = await media.StoreAsync(_key, message.WhatsAppMessageId, pending, cancellationToken);
            }
            catch (MediaDownloadException ex)
            {
                var attempts = pending.FailedAttempts + 1;
                var giveUp = !ex.IsTransient || attempts >= MaxMediaAttempts;
                updated = pending with
                {
                    Status = giveUp ? MediaStatus.Failed : MediaStatus.Pending,
                    FailedAttempts = attempts,
                    FailureReason = ex.Message,
                };
                LogMediaFailed(pending.Kind, ex.IsTransient, attempts);
                state.State.UpdateMedia(message.WhatsAppMessageId, updated);
                await PersistAsync();
                if (!giveUp)
                {
                    Schedule(ref _mediaTimer, StoreMediaAsync, RetryDelay(attempts));
                    return;
                }
                continue;
            }
            state.State.UpdateMedia(message.WhatsAppMessageId, updated);
            await PersistAsync();
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound message {OutboundId} ({Kind}) to citizen {Citizen} accepted by the Graph API")]
    private partial void LogSent(string outboundId, OutboundKind kind, [PersonalIdentifier] string citizen);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Outbound message {OutboundId} to citizen {Citizen} not accepted: Meta code {MetaCode}, HTTP {HttpStatus}, transient {Transient}, ambiguous {Ambiguous}, attempt {Attempt}")]
    private partial void LogSendFailed(string outboundId, [PersonalIdentifier] string citizen, int? metaCode, int? httpStatus, bool transient, bool ambiguous, int attempt);

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "OPERATOR: the Graph API refused a send for the access token or the app's permissions (Meta code {MetaCode}, HTTP {HttpStatus}); nothing goes out until this is fixed")]
    private partial void LogOperatorAlert(int metaCode, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media ({Kind}) not stored: transient {Transient}, attempt {Attempt}")]
    private partial void LogMediaFailed(string kind, bool transient, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Status report '{Status}' names no message of this citizen; noted and ignored")]
    private partial void LogUnmatchedReport(string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Danger reported by citizen {Citizen} (category {Category}): the conversation is urgent and due now")]
    private partial void LogEscalated([PersonalIdentifier] string citizen, string? category);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History page not archived yet; it stays in the grain state and is tried again")]
    private partial void LogArchiveFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A citizen's new identity was folded into their conversation ({Messages} messages moved)")]
    private partial void LogIdentityFolded(int messages);

    // WhatsApp's timestamps have whole seconds: a message of the erasure's own second counts as written after it
    // (a redelivery of one written before is still known by its digest).
    private static DateTimeOffset WholeSeconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    [LoggerMessage(Level = LogLevel.Information, Message = "A redelivered message of erased citizen {Citizen} was dropped (it stays erased)")]
    private partial void LogErasedRedelivery([PersonalIdentifier] string citizen);
}
