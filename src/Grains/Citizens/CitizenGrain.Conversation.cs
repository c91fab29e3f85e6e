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

/// <summary>The conversation: a citizen's message recorded and acknowledged, staff replies and changes, snoozes waking.</summary>
public sealed partial class CitizenGrain
{
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
        if (!state.RecordExists && await stores.Tombstones.FindAsync(_key, now) is { } erased
            && (CitizenState.WrittenBefore(message.SentAt, erased.ErasedAt) || erased.Digests.Contains(CitizenState.Digest(message.DeduplicationKey))))
        {
            // Meta's (or the journal's) redelivery of what was erased: it stays erased. What the citizen writes after
            // the erasure starts afresh.
            diagnostics.LogErasedRedelivery(_key.GrainKey);
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
        if (message.TargetMessageId is { } target && !state.State.HasProcessed(message.DeduplicationKey))
        {
            // What the reply quotes (or the reaction, edit or deletion refers to), kept with it: shown even once the
            // target is archived.
            var quote = state.State.QuoteOf(target) ?? await QuoteFromHistoryAsync(target);
            // A deletion keeps only that there was a message, never its text.
            message = message with { Quoted = message.RevokedMessageId is null || quote is null ? quote : quote with { Preview = null } };
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
        await ApplyReferencesAsync(message);
        var staff = policy.IsStaff(_key, state.State.PhoneNumber);
        if (staff)
        {
            state.State.MoveToStaffSection();
        }
        var consent = KeywordConsent.Apply(state.State, message, policy, now);
        foreach (var (listId, action) in consent)
        {
            diagnostics.Consent(listId, action, ConsentChannel.Keyword);
        }
        var listsChanged = consent.Count > 0 ? consent.Select(c => c.ListId).ToList() : null;
        if (listsChanged is not null)
        {
            // Nothing but a keyword: confirmed, and no work for staff.
            state.State.ResolveKeywordConversation(message.SentAt, now);
        }
        else if (!CitizenState.IsReference(message) && message.Type != "system")
        {
            var calendar = policy.Calendar;
            if (state.State.ApplyTriage(policy.Triage.Assess(message.Text), message.SentAt, calendar?.NextOpeningAfter(message.SentAt)))
            {
                diagnostics.LogEscalated(_key.GrainKey, state.State.Category);
            }
            var wasFlooding = state.State.Flooding;
            if (releasesBroadcast)
            {
                state.State.SkipAcknowledgement();
            }
            if (state.State.Blocked)
            {
                // Blocked for abuse: recorded for the record, never answered automatically.
                state.State.SkipAcknowledgement();
            }
            else if (staff || !state.State.TakeInboundToken(policy.Options.FloodLimit, now))
            {
                // Staff numbers coordinate among themselves; a flood gets no further acknowledgements.
                state.State.SkipAcknowledgement();
                if (!wasFlooding && state.State.Flooding)
                {
                    diagnostics.Metrics.FloodFlagged();
                }
            }
            else if (state.State.QueueAcknowledgementIfDue(
                AcknowledgementTexts.Choose(policy.Options, calendar, now, state.State.Language, state.State.Urgent), now, policy.Rules) is { } acknowledgement)
            {
                _queuedBy[acknowledgement.Id] = Activity.Current?.Context ?? default;
                diagnostics.Metrics.Acknowledgement(state.State.Language);
                if (acknowledgement.State is DeliveryState.Failed or DeliveryState.WaitingForWindow)
                {
                    diagnostics.Metrics.WindowClosed(acknowledgement.Kind);
                }
            }
        }

        await MarkSendingAheadAsync();
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

    public async Task<ReceiveOutcome> RecordAppEchoAsync(InboundMessage echo)
    {
        ArgumentNullException.ThrowIfNull(echo);
        RequirePolicy();
        if (state.State.Erasure is not null)
        {
            throw new InvalidOperationException("An erasure of this citizen is under way; the echo is recorded once it is done.");
        }
        if (!state.State.RecordEcho(echo, time.GetUtcNow()))
        {
            return ReceiveOutcome.Duplicate;
        }
        await PersistAsync();
        await ArchiveAsync();
        await PublishSummaryAsync();
        return ReceiveOutcome.Recorded;
    }

    public async Task<OutboundMessage> ReplyAsync(StaffReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        RequireMayWork(reply.By);
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
        QuotedMessage? quoted = null;
        if (reply.QuotedMessageId is { } quotedId && !state.State.Outbound.Exists(m => m.RequestId == reply.RequestId))
        {
            quoted = (state.State.QuoteOf(quotedId) ?? await QuoteFromHistoryAsync(quotedId))
                ?? throw new ArgumentException("The quoted message is not in this conversation.", nameof(reply));
        }
        var queued = state.State.QueueReply(reply, now, RequirePolicy().Options.WindowTemplate?.Name, quoted);
        if (state.State.Revision != revision)
        {
            _queuedBy[queued.Id] = Activity.Current?.Context ?? default;
            await MarkSendingAheadAsync();
            await PersistAsync();
            if (conversationStart is { } start)
            {
                diagnostics.Metrics.FirstResponse(RequirePolicy().Calendar is { } calendar ? calendar.WorkingTimeBetween(start, now) : now - start);
            }
            if (queued.State == DeliveryState.WaitingForWindow)
            {
                diagnostics.Metrics.WindowClosed(queued.Kind);
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

    public Task<OutboundMessage> ReactAsync(StaffReaction reaction)
    {
        ArgumentNullException.ThrowIfNull(reaction);
        return QueueStaffMessageAsync(reaction.By, now => state.State.QueueReaction(reaction, now));
    }

    public Task<OutboundMessage> RequestLocationAsync(StaffLocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return QueueStaffMessageAsync(request.By, now => state.State.QueueLocationRequest(request, now));
    }

    // A staff message that goes out as it is (inside the window, never held): queued once by its request id, stored
    // and archived when new, then on its way.
    private async Task<OutboundMessage> QueueStaffMessageAsync(StaffActor by, Func<DateTimeOffset, OutboundMessage> queue)
    {
        RequireMayWork(by);
        RequireConversation();
        var revision = state.State.Revision;
        var queued = queue(time.GetUtcNow());
        if (state.State.Revision != revision)
        {
            _queuedBy[queued.Id] = Activity.Current?.Context ?? default;
            await PersistAsync();
            await ArchiveAsync();
        }
        await EnsureOutboxReminderAsync();
        ResumeBackgroundWork();
        await PublishSummaryAsync();
        return queued;
    }

    public async Task<BlockChange> ChangeBlockAsync(bool block, StaffActor by)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (!by.IsSupervisor)
        {
            throw new UnauthorizedAccessException("Nur die Leitung kann Bürgerinnen und Bürger sperren oder entsperren.");
        }
        RequireConversation();
        var now = time.GetUtcNow();
        if (state.State.Blocked == block)
        {
            return new BlockChange(true, null, null, state.State.ToSummary(_key));
        }
        if (block && !state.State.IsWindowOpen(now))
        {
            // Meta's rule, checked here first: only someone who wrote in the last 24 hours can be blocked.
            return new BlockChange(false, MetaErrorCodes.WindowClosed,
                "Gesperrt werden kann nur, wer in den letzten 24 Stunden geschrieben hat (Regel von WhatsApp, Code 131047).", state.State.ToSummary(_key));
        }
        var user = state.State.PhoneNumber ?? (_key.IsBusinessScopedUserId ? _key.Identity : "+" + _key.Identity);
        BlockResult result;
        try
        {
            result = await channel.ChangeBlockAsync(_key, user, block, CancellationToken.None);
        }
        catch (WhatsAppApiException ex)
        {
            result = new BlockResult(false, ex.Code, ex.IsTransient ? "WhatsApp ist gerade nicht erreichbar; bitte später erneut versuchen." : null);
        }
        if (!result.Done)
        {
            diagnostics.LogBlockRefused(block, result.Code);
            return new BlockChange(false, result.Code, MetaErrorTexts.Describe(result.Code, result.Message), state.State.ToSummary(_key));
        }
        var summary = await ChangeAsync(() =>
        {
            state.State.ChangeBlock(block, by.StaffId, now);
            return true;
        });
        return new BlockChange(true, null, null, summary);
    }

    public async Task<bool> SignalTypingAsync(StaffActor by)
    {
        ArgumentNullException.ThrowIfNull(by);
        RequireMayWork(by);
        RequireConversation();
        var now = time.GetUtcNow();
        if (_typingShownAt is { } shown && now - shown < TypingIndicatorInterval)
        {
            return false;
        }
        // Only with a message to answer inside the window (the indicator stands on it, and marks it read).
        if (!state.State.IsWindowOpen(now) || state.State.MessageToMarkRead(now, again: true) is not { } newest)
        {
            return false;
        }
        _typingShownAt = now;
        return await MarkReadAtWhatsAppAsync(newest, typing: true);
    }

    // Blue ticks for the citizen: the newest message read at WhatsApp (which covers the earlier ones). A refusal is
    // logged and counted, and the next opening tries again; it never fails the staff member's call.
    private async Task<bool> MarkReadAtWhatsAppAsync(InboundMessage newest, bool typing)
    {
        try
        {
            await channel.MarkReadAsync(_key, newest.WhatsAppMessageId, typing, CancellationToken.None);
        }
        catch (WhatsAppApiException ex)
        {
            diagnostics.LogReadReceiptFailed(typing, ex.Code);
            return false;
        }
        diagnostics.Metrics.ReadReceipt(typing);
        if (state.State.ReadReceiptSentFor != newest.WhatsAppMessageId)
        {
            state.State.ReadReceiptSentFor = newest.WhatsAppMessageId;
            await PersistAsync();
        }
        return true;
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
            ? await stores.History.ReadPageAsync(_key, number, CancellationToken.None)
            : null;
    }

    public async Task<ConversationSummary> ChangeStatusAsync(StatusChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireMayWork(change.By);
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
        RequireMayWork(note.By);
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

    public async Task<ConversationSummary> AssignAsync(string? assignee, StaffActor by)
    {
        RequireMayWork(by);
        if (assignee is not null)
        {
            RequireStaffId(assignee);
        }
        RequireConversation();
        var current = state.State.Assignee;
        if (!by.IsSupervisor && current != assignee
            && !(assignee == by.StaffId ? current is null : assignee is null && current == by.StaffId))
        {
            // Agents take what nobody has for themselves, and give back their own; reassigning is a supervisor's.
            throw new UnauthorizedAccessException(
                "Agents assign unassigned conversations to themselves and unassign their own; ask a supervisor to reassign.");
        }
        return await ChangeAsync(() => state.State.Assign(assignee, by.StaffId, time.GetUtcNow()));
    }

    public async Task<ConversationSummary> SetPriorityAsync(ConversationPriority priority, StaffActor by)
    {
        RequireMayWork(by);
        RequireConversation();
        if (!Enum.IsDefined(priority))
        {
            throw new ArgumentException($"{priority} is not a priority.", nameof(priority));
        }
        return await ChangeAsync(() => state.State.SetPriority(priority, by.StaffId, time.GetUtcNow()));
    }

    public async Task<ConversationSummary> MarkReadAsync(StaffActor by)
    {
        RequireMayWork(by);
        RequireConversation();
        var summary = await ChangeAsync(() =>
        {
            state.State.MarkRead(by.StaffId, time.GetUtcNow());
            return true;
        });
        if (state.State.MessageToMarkRead(time.GetUtcNow()) is { } newest)
        {
            await MarkReadAtWhatsAppAsync(newest, typing: false);
        }
        return summary;
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

    public async Task<ConversationSummary> SetCategoryAsync(string category, StaffActor by)
    {
        ArgumentNullException.ThrowIfNull(category);
        RequireMayWork(by);
        var policy = RequirePolicy();
        RequireConversation();
        if (!policy.Categories.Contains(category))
        {
            throw new ArgumentException(
                $"'{category}' is not a category of this tenant; choose one of: {string.Join(", ", policy.Categories)}.", nameof(category));
        }
        return await ChangeAsync(() => state.State.ChooseCategory(category, by.StaffId, time.GetUtcNow()));
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
}
