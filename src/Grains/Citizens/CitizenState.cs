using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// Everything the town keeps about one citizen, persisted as one record by the citizen grain. The methods are the
/// conversation's rules; they change only this object, so tests exercise them without a cluster.
/// </summary>
[GenerateSerializer, Alias("goldbach.CitizenState")]
public sealed partial class CitizenState
{
    /// <summary>How long a processed WhatsApp message id is remembered: Meta retries a webhook for up to 7 days.</summary>
    public static readonly TimeSpan DeduplicationWindow = TimeSpan.FromDays(8);

    /// <summary>The citizen's number in E.164 with "+", when WhatsApp sent one.</summary>
    [Id(0)] public string? PhoneNumber { get; set; }

    /// <summary>The citizen's WhatsApp profile name, when WhatsApp sent one.</summary>
    [Id(1)] public string? ProfileName { get; set; }

    /// <summary>The citizen's messages, ordered by WhatsApp's timestamp, arrival order breaking ties.</summary>
    [Id(2)] public List<InboundMessage> Inbound { get; set; } = [];

    /// <summary>The messages the town sent or is about to send, in the order they were recorded.</summary>
    [Id(3)] public List<OutboundMessage> Outbound { get; set; } = [];

    /// <summary>
    /// WhatsApp message ids recorded by earlier code, with when (today's code records <see cref="ProcessedMessages"/>
    /// and lets these expire).
    /// </summary>
    [Id(4)] public Dictionary<string, DateTimeOffset> ProcessedMessageIds { get; set; } = [];

    /// <summary>Whether the current conversation has had its automatic acknowledgement.</summary>
    [Id(5)] public bool Acknowledged { get; set; }

    [Id(6)] public ConversationStatus Status { get; set; }

    /// <summary>Grows with every change; lets the inbox keep only the newest summary.</summary>
    [Id(7)] public long Revision { get; set; }

    /// <summary>Outbound ids handed out so far: ids are "out-{n}", unique within the citizen.</summary>
    [Id(8)] public long OutboundSequence { get; set; }

    /// <summary>
    /// Set when this identity became another identity of a citizen kept under another key (a changed number or user
    /// id): every call is passed on to that grain.
    /// </summary>
    [Id(9)] public string? ForwardTo { get; set; }

    /// <summary>The citizen's other identities (grain keys) whose conversations are still to be folded into this one.</summary>
    [Id(10)] public List<string> PendingAliases { get; set; } = [];

    /// <summary>WhatsApp's time of the citizen's latest message.</summary>
    [Id(11)] public DateTimeOffset? LastInboundAt { get; set; }

    /// <summary>When staff last replied.</summary>
    [Id(12)] public DateTimeOffset? LastStaffReplyAt { get; set; }

    /// <summary>How many conversations this citizen has had (1 after the first message).</summary>
    [Id(13)] public int ConversationNumber { get; set; }

    /// <summary>The current conversation's category (triage's suggestion until staff choose one).</summary>
    [Id(14)] public string? Category { get; set; }

    /// <summary>Whether the current conversation reported danger.</summary>
    [Id(15)] public bool Urgent { get; set; }

    /// <summary>When the current conversation is due.</summary>
    [Id(16)] public DateTimeOffset? DueAt { get; set; }

    /// <summary>How many pages of older history are archived (see <see cref="NextPageToArchive"/>).</summary>
    [Id(17)] public int ArchivedPages { get; set; }

    /// <summary>Recent status, category and flood changes (older ones are archived with the messages).</summary>
    [Id(18)] public List<ConversationEvent> Events { get; set; } = [];

    /// <summary>
    /// Recently archived outbound messages by wamid, so that a late status report still finds its page (and a
    /// repeated one is known as a duplicate). Kept for <see cref="DeduplicationWindow"/>.
    /// </summary>
    [Id(19)] public Dictionary<string, ArchivedOutbound> ArchivedOutbound { get; set; } = [];

    /// <summary>For a snoozed conversation: until when.</summary>
    [Id(20)] public DateTimeOffset? SnoozedUntil { get; set; }

    /// <summary>The staff coordination queue for the town's own numbers.</summary>
    [Id(21)] public InboxSection Section { get; set; }

    /// <summary>Whether the current conversation hit the flood limit.</summary>
    [Id(22)] public bool Flooding { get; set; }

    /// <summary>The citizen's messages as a token bucket against floods.</summary>
    [Id(23)] public TokenBucket? InboundBucket { get; set; }

    /// <summary>The town's messages to this citizen as a token bucket (Meta's per-recipient pace).</summary>
    [Id(24)] public TokenBucket? OutboundBucket { get; set; }

    /// <summary>The language the citizen last wrote in clearly ("de", "en", "uk", …).</summary>
    [Id(25)] public string? Language { get; set; }

    /// <summary>What the inbox shows of the citizen's latest message (kept here: the message may be archived).</summary>
    [Id(26)] public string? LastInboundPreview { get; set; }

    /// <summary>Whether staff chose the category (then triage no longer changes it).</summary>
    [Id(27)] public bool CategoryChosenByStaff { get; set; }

    /// <summary>
    /// The deduplication window: recorded messages by a 64-bit digest of their deduplication key (SHA-256, stable
    /// across processes), with when. A digest instead of the id keeps a full window small.
    /// </summary>
    [Id(28)] public Dictionary<ulong, DateTimeOffset> ProcessedMessages { get; set; } = [];

    /// <summary>Not before this time does anything go to this citizen (Meta's 131056: too many messages to them).</summary>
    [Id(29)] public DateTimeOffset? RecipientBackoffUntil { get; set; }

    /// <summary>How many 131056 answers in a row: the backoff is 4^count seconds.</summary>
    [Id(30)] public int RecipientThrottles { get; set; }

    /// <summary>The staff member the conversation is assigned to.</summary>
    [Id(31)] public string? Assignee { get; set; }

    [Id(32)] public ConversationPriority Priority { get; set; }

    /// <summary>When staff last read the conversation.</summary>
    [Id(33)] public DateTimeOffset? LastReadAt { get; set; }

    /// <summary>When the current conversation started (its first message).</summary>
    [Id(34)] public DateTimeOffset? ConversationStartedAt { get; set; }

    /// <summary>No staff reply yet in the current conversation (for the time-to-first-response metric).</summary>
    [Id(35)] public bool AwaitingFirstResponse { get; set; }

    /// <summary>Meta's customer-service window: free text only within 24 hours of the citizen's last message.</summary>
    public static readonly TimeSpan CustomerServiceWindow = TimeSpan.FromHours(24);

    /// <summary>When the 24-hour window closes, or null before the citizen ever wrote.</summary>
    public DateTimeOffset? WindowClosesAt => LastInboundAt + CustomerServiceWindow;

    /// <summary>Whether free text may go to the citizen at <paramref name="now"/>.</summary>
    public bool IsWindowOpen(DateTimeOffset now) => WindowClosesAt is { } closes && now < closes;

    /// <summary>How many recent entries (messages and events) the state keeps before it archives a page.</summary>
    public const int HotLimit = 50;

    /// <summary>
    /// The most entries the hot state may hold when archiving fails (history storage down): beyond it a change is
    /// refused (the webhook stays in the journal, Meta retries) rather than the row outgrowing Azure Table's entity.
    /// </summary>
    public const int MaxHotEntries = HotLimit * 4;

    /// <summary>Whether the hot state holds more than <see cref="MaxHotEntries"/>.</summary>
    public bool IsOversized => Inbound.Count + Outbound.Count + Events.Count > MaxHotEntries;

    /// <summary>How many entries one archived page takes.</summary>
    public const int PageSize = 25;

    /// <summary>How many processed message ids are remembered at most (a flood must not grow the state without bound).</summary>
    public const int MaxRememberedMessageIds = 500;

    /// <summary>True when the citizen has written at least once.</summary>
    public bool Exists => ConversationNumber > 0 || Inbound.Count > 0;

    /// <summary>
    /// Records an inbound message unless it was recorded before. Returns false for a duplicate and changes nothing.
    /// </summary>
    /// <remarks>
    /// With <paramref name="rules"/>, a message after a long silence (no message from either side for longer than
    /// <see cref="ConversationRules.SilenceStartsNewConversation"/>) opens a new conversation, which is acknowledged
    /// again.
    /// </remarks>
    public bool TryRecord(InboundMessage message, DateTimeOffset now, ConversationRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Remember(message, now))
        {
            return false;
        }

        if (ConversationNumber == 0 && Inbound.Count > 0)
        {
            // State written before conversations were counted: its conversation goes on, acknowledged as it was.
            ConversationNumber = 1;
        }
        else if (ConversationNumber == 0 || Status == ConversationStatus.Resolved
            || (rules is not null && rules.StartsNewConversation(LastActivity, message.SentAt)))
        {
            StartConversation(message.SentAt);
        }
        else if (Status is ConversationStatus.WaitingForCitizen or ConversationStatus.Snoozed)
        {
            // The citizen's answer puts the conversation back in front of staff, due again.
            ChangeStatusTo(ConversationStatus.Open, message.SentAt, ConversationEvent.SystemActor);
            DueAt = null;
        }

        Insert(message);
        if (LastInboundAt is not { } latest || message.SentAt >= latest)
        {
            LastInboundAt = message.SentAt;
            LastInboundPreview = Preview(message);
        }
        // The citizen wrote: the window is open again, and the replies held for it go out.
        for (var i = 0; i < Outbound.Count; i++)
        {
            if (Outbound[i].State == DeliveryState.WaitingForWindow)
            {
                Outbound[i] = Outbound[i] with { State = DeliveryState.Queued, StateChangedAt = now, NextAttemptAt = null };
            }
        }
        PhoneNumber = message.PhoneNumber ?? PhoneNumber;
        ProfileName = message.ProfileName ?? ProfileName;
        Language = Domain.CitizenLanguage.Detect(message.Text) ?? Language;
        Revision++;
        return true;
    }

    /// <summary>
    /// Counts a citizen's message against the flood limit (at <paramref name="now"/>, arrival time). Returns false
    /// when the citizen writes faster than allowed; the first time in a conversation, the conversation is flagged.
    /// </summary>
    public bool TakeInboundToken(RateLimitOptions limit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limit);
        InboundBucket = (InboundBucket ?? TokenBucket.Full(limit, now)).Take(limit, now, out var taken);
        if (!taken && !Flooding)
        {
            Flooding = true;
            AddEvent(new ConversationEvent(now, ConversationEvent.SystemActor, ConversationEventKind.FloodFlagged, null, null));
        }
        return taken;
    }

    /// <summary>Marks the citizen as one of the town's staff numbers: their conversation is in the staff queue.</summary>
    public void MoveToStaffSection()
    {
        if (Section != InboxSection.Staff)
        {
            Section = InboxSection.Staff;
            Revision++;
        }
    }

    /// <summary>Suppresses the current conversation's acknowledgement (a staff number, or a flood).</summary>
    public void SkipAcknowledgement() => Acknowledged = true;

    /// <summary>
    /// Queues the automatic acknowledgement if the current conversation has not had one. Returns it, or null.
    /// </summary>
    /// <remarks>None on top of a staff reply sent within <see cref="ConversationRules.QuietAfterStaffReply"/>.</remarks>
    public OutboundMessage? QueueAcknowledgementIfDue(string text, DateTimeOffset now, ConversationRules? rules = null)
    {
        if (Acknowledged)
        {
            return null;
        }
        Acknowledged = true;
        if (rules is not null && rules.StaffJustReplied(LastStaffReplyAt, now))
        {
            return null;
        }
        return Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.Acknowledgement,
            Text = text,
            CreatedAt = now,
        });
    }

    /// <summary>
    /// Queues a staff reply, or returns the one queued before under the same request id. Outside the 24-hour window
    /// the reply is held (<see cref="DeliveryState.WaitingForWindow"/>) and, when the tenant has one, the window
    /// template <paramref name="windowTemplate"/> is queued to ask the citizen to write back.
    /// </summary>
    public OutboundMessage QueueReply(StaffReply reply, DateTimeOffset now, string? windowTemplate = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var earlier = Outbound.Find(m => m.RequestId == reply.RequestId);
        if (earlier is not null)
        {
            return earlier;
        }
        ChangeStatusTo(ConversationStatus.WaitingForCitizen, now, reply.StaffId);
        DueAt = null;
        LastStaffReplyAt = now;
        AwaitingFirstResponse = false;
        var queued = Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.StaffReply,
            Text = reply.Text,
            CreatedAt = now,
            SentBy = reply.StaffId,
            RequestId = reply.RequestId,
        });
        return IsWindowOpen(now) ? queued : HoldForWindow(queued, now, windowTemplate);
    }

    /// <summary>
    /// Holds a free-text message until the citizen writes again, because the 24-hour window is closed; queues the
    /// window template unless one is already on its way. An acknowledgement that missed the window is pointless a
    /// day later: it fails with the reason instead.
    /// </summary>
    public OutboundMessage HoldForWindow(OutboundMessage message, DateTimeOffset now, string? windowTemplate)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind is OutboundKind.Acknowledgement or OutboundKind.ListConfirmation)
        {
            var failed = message with
            {
                State = DeliveryState.Failed,
                FailureCode = WhatsApp.GraphApi.MetaErrorCodes.WindowClosed,
                FailureReason = MetaErrorTexts.Describe(WhatsApp.GraphApi.MetaErrorCodes.WindowClosed, "not sent: the automatic message missed the 24-hour window"),
                StateChangedAt = now,
            };
            Update(failed);
            return failed;
        }
        var held = message with { State = DeliveryState.WaitingForWindow, StateChangedAt = now, SendingSince = null };
        Update(held);
        var templatePending = Outbound.Exists(m => m.Kind == OutboundKind.WindowTemplate && m.State is DeliveryState.Queued or DeliveryState.Sending);
        if (windowTemplate is not null && !templatePending)
        {
            Enqueue(new OutboundMessage
            {
                Id = NextOutboundId(),
                Kind = OutboundKind.WindowTemplate,
                Text = $"[Vorlage {windowTemplate}]",
                TemplateName = windowTemplate,
                CreatedAt = now,
            });
        }
        return held;
    }

    /// <summary>
    /// Applies a status report to the outbound message it names. Reports only move a message forward (see
    /// <see cref="DeliveryProgress"/>), so a repeated or late report changes nothing and needs no deduplication record.
    /// </summary>
    public ReceiveOutcome ApplyReport(DeliveryReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var index = Outbound.FindIndex(m => m.WhatsAppMessageId == report.WhatsAppMessageId);
        if (index < 0 && report.OutboundId is { } id)
        {
            // A send that timed out before the wamid came back: WhatsApp accepted it after all. Never send it again.
            index = Outbound.FindIndex(m => m.Id == id && m.WhatsAppMessageId is null && m.State is DeliveryState.Sending or DeliveryState.Queued);
            if (index >= 0)
            {
                Outbound[index] = Outbound[index] with
                {
                    WhatsAppMessageId = report.WhatsAppMessageId,
                    State = DeliveryState.Sent,
                    SendingSince = null,
                    NextAttemptAt = null,
                    StateChangedAt = report.At,
                };
                Revision++;
                if (Advance(Outbound[index], report) is { } further)
                {
                    Outbound[index] = further;
                }
                return ReceiveOutcome.Recorded;
            }
        }
        if (index < 0)
        {
            return ReceiveOutcome.Unmatched;
        }
        if (Advance(Outbound[index], report) is not { } advanced)
        {
            return ReceiveOutcome.Duplicate;
        }
        Outbound[index] = advanced;
        Revision++;
        return ReceiveOutcome.Recorded;
    }

    /// <summary>
    /// Applies a status report to an archived page that holds the message (a report that came after the message was
    /// archived). Returns the updated page, or null when the report changes nothing.
    /// </summary>
    public static HistoryPage? ApplyReport(HistoryPage page, DeliveryReport report)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(report);
        var index = -1;
        for (var i = 0; i < page.Outbound.Length && index < 0; i++)
        {
            index = page.Outbound[i].WhatsAppMessageId == report.WhatsAppMessageId ? i : -1;
        }
        if (index < 0 || Advance(page.Outbound[index], report) is not { } advanced)
        {
            return null;
        }
        return page with { Outbound = page.Outbound.SetItem(index, advanced) };
    }

    private static OutboundMessage? Advance(OutboundMessage message, DeliveryReport report)
    {
        if (DeliveryProgress.Advance(message.State, report.Status) is not { } next)
        {
            return null;
        }
        var error = report.Errors.IsDefaultOrEmpty ? null : report.Errors[0];
        return message with
        {
            State = next,
            StateChangedAt = report.At,
            FailureCode = next == DeliveryState.Failed ? error?.Code : message.FailureCode,
            FailureReason = next == DeliveryState.Failed
                ? MetaErrorTexts.Describe(error?.Code, error?.Details)
                : message.FailureReason,
        };
    }

    /// <summary>Replaces a recorded message's media by a newer version (downloaded, or failed).</summary>
    public void UpdateMedia(string whatsAppMessageId, MediaAttachment media)
    {
        var index = Inbound.FindIndex(m => m.WhatsAppMessageId == whatsAppMessageId && m.Media is not null);
        if (index < 0)
        {
            throw new InvalidOperationException("That message has no media in this conversation.");
        }
        Inbound[index] = Inbound[index] with { Media = media };
        Revision++;
    }

    /// <summary>The oldest message whose media still waits to be downloaded, if any.</summary>
    public InboundMessage? NextMediaToStore() => Inbound.Find(m => m.Media?.Status == MediaStatus.Pending);

    /// <summary>
    /// Takes over the conversation another identity of the same citizen collected (messages are deduplicated;
    /// the town's messages keep their state under new ids).
    /// </summary>
    public void Absorb(CitizenHandover handover, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handover);
        foreach (var message in handover.Inbound)
        {
            if (Remember(message, now))
            {
                Insert(message with { PhoneNumber = null, ProfileName = null });
            }
        }
        var windowOpen = IsWindowOpen(now);
        foreach (var message in handover.Outbound)
        {
            // Held for a window that is open here: it goes out now.
            Outbound.Add(message.State == DeliveryState.WaitingForWindow && windowOpen
                ? message with { Id = NextOutboundId(), State = DeliveryState.Queued, StateChangedAt = now, ConversationNumber = ConversationNumber }
                : message with { Id = NextOutboundId(), ConversationNumber = ConversationNumber });
        }
        AbsorbConsent(handover);
        Acknowledged |= handover.Acknowledged;
        if (handover.Inbound.Length > 0)
        {
            ConversationNumber = Math.Max(ConversationNumber, 1);
        }
        PhoneNumber ??= handover.PhoneNumber;
        ProfileName ??= handover.ProfileName;
        Revision++;
    }

    /// <summary>What this identity hands over when it turns out to be another identity of a known citizen.</summary>
    public CitizenHandover ToHandover() =>
        new([.. Inbound], [.. Outbound], Acknowledged, PhoneNumber, ProfileName)
        {
            Memberships = [.. Memberships],
            ConsentHistory = [.. ConsentHistory],
            HandledBroadcasts = [.. HandledBroadcasts],
            MarketingStopped = MarketingStopped,
        };

    /// <summary>Whether this identity holds nothing at all (nothing to hand over).</summary>
    public bool IsBlank => !Exists && Outbound.Count == 0 && Memberships.Count == 0 && ConsentHistory.Count == 0 && ForwardTo is null;

    /// <summary>Forgets the conversation after handing it over; from now on every call goes to <paramref name="canonical"/>.</summary>
    public void BecomeAlias(string canonical)
    {
        ForwardTo = canonical;
        Inbound.Clear();
        Outbound.Clear();
        Events.Clear();
        ArchivedOutbound.Clear();
        ArchivedPages = 0;
        ConversationNumber = 0;
        EndedConversations.Clear();
        LastInboundPreview = null;
        ProfileName = null;
        PhoneNumber = null;
        Memberships.Clear();
        ConsentHistory.Clear();
        HandledBroadcasts.Clear();
        Revision++;
    }

    // The conversation is alive while either side writes.
    private DateTimeOffset? LastActivity =>
        LastStaffReplyAt is { } reply && (LastInboundAt is not { } inbound || reply > inbound) ? reply : LastInboundAt;

    /// <summary>The oldest message still waiting to be sent, if any.</summary>
    /// <summary>
    /// The oldest message still to go out: queued, or handed to the Graph API without a known outcome. Messages go
    /// out in the order they were recorded, so a later one never overtakes it.
    /// </summary>
    public OutboundMessage? NextToSend() => Outbound.Find(m => m.State is DeliveryState.Queued or DeliveryState.Sending);

    /// <summary>Whether anything waits to be sent (what the outbox reminder watches).</summary>
    public bool HasOutboxWork => NextToSend() is not null;

    /// <summary>Replaces an outbound message by a newer version of itself (same id).</summary>
    public void Update(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var index = Outbound.FindIndex(m => m.Id == message.Id);
        if (index < 0)
        {
            throw new InvalidOperationException($"Outbound message {message.Id} is not in this conversation.");
        }
        Outbound[index] = message;
        Revision++;
    }

    /// <summary>
    /// Applies triage to the current conversation: a category once one is suggested (a later, more specific one does
    /// not replace it, nor anything staff chose), urgency once danger was reported (then due at once), else due when
    /// the town hall opens next. Returns true when this message escalated the conversation to urgent.
    /// </summary>
    public bool ApplyTriage(TriageResult result, DateTimeOffset messageAt, DateTimeOffset? nextOpening)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!CategoryChosenByStaff && Category is null or Triage.Other && Category != result.Category)
        {
            AddEvent(new ConversationEvent(messageAt, ConversationEvent.SystemActor, ConversationEventKind.CategoryChanged, Category, result.Category));
            Category = result.Category;
        }
        if (result.Urgent && !Urgent)
        {
            Urgent = true;
            DueAt = messageAt;
            AddEvent(new ConversationEvent(messageAt, ConversationEvent.SystemActor, ConversationEventKind.Escalated, null, null));
            return true;
        }
        if (DueAt is null)
        {
            DueAt = Urgent ? messageAt : nextOpening ?? messageAt;
        }
        return false;
    }

    /// <summary>Assigns the conversation (null: nobody); returns false when nothing changed.</summary>
    public bool Assign(string? assignee, string staffId, DateTimeOffset now)
    {
        if (Assignee == assignee)
        {
            return false;
        }
        AddEvent(new ConversationEvent(now, staffId, ConversationEventKind.Assigned, Assignee, assignee));
        Assignee = assignee;
        return true;
    }

    /// <summary>Sets the priority; returns false when nothing changed.</summary>
    public bool SetPriority(ConversationPriority priority, string staffId, DateTimeOffset now)
    {
        if (Priority == priority)
        {
            return false;
        }
        AddEvent(new ConversationEvent(now, staffId, ConversationEventKind.PriorityChanged, Priority.ToString(), priority.ToString()));
        Priority = priority;
        return true;
    }

    /// <summary>Staff read the conversation: a new one becomes open (staff have seen it).</summary>
    public void MarkRead(string staffId, DateTimeOffset now)
    {
        LastReadAt = now;
        if (Status == ConversationStatus.New)
        {
            ChangeStatusTo(ConversationStatus.Open, now, staffId);
        }
        Revision++;
    }

    /// <summary>Records an internal note, or returns the one recorded before under the same request id.</summary>
    public ConversationEvent AddNote(StaffNote note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (Events.Find(e => e.Kind == ConversationEventKind.Note && e.RequestId == note.RequestId) is { } earlier)
        {
            return earlier;
        }
        AddEvent(new ConversationEvent(now, note.StaffId, ConversationEventKind.Note, null, note.Text) { RequestId = note.RequestId });
        return Events[^1];
    }

    /// <summary>A staff member's choice of category; returns false when it is the category already.</summary>
    public bool ChooseCategory(string category, string staffId, DateTimeOffset now)
    {
        CategoryChosenByStaff = true;
        if (Category == category)
        {
            return false;
        }
        AddEvent(new ConversationEvent(now, staffId, ConversationEventKind.CategoryChanged, Category, category));
        Category = category;
        Revision++;
        return true;
    }

    /// <summary>
    /// A staff member's change of status. Snoozed needs a time after <paramref name="now"/>
    /// (<paramref name="nextWorkingDay"/> when the change names none). Returns false when nothing changed.
    /// </summary>
    /// <exception cref="ArgumentException">New (only a citizen's message makes a conversation new), or a snooze time not in the future.</exception>
    public bool ChangeStatus(StatusChange change, DateTimeOffset now, DateTimeOffset nextWorkingDay)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Status)
        {
            case ConversationStatus.Snoozed:
                var until = change.SnoozeUntil ?? nextWorkingDay;
                if (until <= now)
                {
                    throw new ArgumentException("A conversation is snoozed until a time in the future.", nameof(change));
                }
                if (Status == ConversationStatus.Snoozed && SnoozedUntil == until)
                {
                    return false;
                }
                ChangeStatusTo(ConversationStatus.Snoozed, now, change.StaffId, until);
                SnoozedUntil = until;
                DueAt = until;
                break;
            case ConversationStatus.Open or ConversationStatus.WaitingForCitizen or ConversationStatus.Resolved:
                if (Status == change.Status)
                {
                    return false;
                }
                ChangeStatusTo(change.Status, now, change.StaffId);
                DueAt = change.Status == ConversationStatus.Open ? DueAt ?? now : null;
                break;
            default:
                throw new ArgumentException($"Staff set a conversation open, waiting for the citizen, snoozed or resolved, not {change.Status}.", nameof(change));
        }
        Revision++;
        return true;
    }

    /// <summary>A snoozed conversation whose time has come is open again (as of its snooze time). Returns true if so.</summary>
    public bool WakeIfSnoozeOver(DateTimeOffset now)
    {
        if (Status != ConversationStatus.Snoozed || SnoozedUntil is not { } until || until > now)
        {
            return false;
        }
        ChangeStatusTo(ConversationStatus.Open, until, ConversationEvent.SystemActor);
        DueAt = until;
        Revision++;
        return true;
    }

    /// <summary>
    /// The oldest entries to move out of the hot state, as page <c>ArchivedPages + 1</c>, once the state holds more
    /// than <see cref="HotLimit"/>; null otherwise. Takes up to <see cref="PageSize"/> entries in time order, passing
    /// over those still in flight (a message waiting to be sent, media waiting to be stored). Changes nothing: the caller
    /// stores the page, then calls <see cref="CommitArchive"/>.
    /// </summary>
    public HistoryPage? NextPageToArchive()
    {
        if (Inbound.Count + Outbound.Count + Events.Count <= HotLimit)
        {
            return null;
        }
        var timeline = Inbound.Select(m => (At: m.SentAt, Order: 0, Item: (object)m))
            .Concat(Outbound.Select(m => (At: m.CreatedAt, Order: 1, Item: (object)m)))
            .Concat(Events.Select(e => (At: e.At, Order: 2, Item: (object)e)))
            .OrderBy(e => e.At).ThenBy(e => e.Order);
        var inbound = new List<InboundMessage>();
        var outbound = new List<OutboundMessage>();
        var events = new List<ConversationEvent>();
        foreach (var (_, _, item) in timeline)
        {
            if (inbound.Count + outbound.Count + events.Count == PageSize)
            {
                break;
            }
            switch (item)
            {
                // Still in flight: stays in the hot state (the outbox and the media download change it), while older
                // and newer settled entries are archived past it, so that a long outage cannot grow the state.
                case InboundMessage { Media.Status: MediaStatus.Pending }:
                case OutboundMessage { State: DeliveryState.Queued or DeliveryState.Sending or DeliveryState.WaitingForWindow }:
                    continue;
                case InboundMessage message:
                    inbound.Add(message);
                    break;
                case OutboundMessage message:
                    outbound.Add(message);
                    break;
                case ConversationEvent change:
                    events.Add(change);
                    break;
            }
        }
        return inbound.Count + outbound.Count + events.Count == 0
            ? null
            : new HistoryPage(ArchivedPages + 1, [.. inbound], [.. outbound], [.. events]);
    }

    /// <summary>Drops what <paramref name="page"/> holds from the hot state once the page is stored.</summary>
    public void CommitArchive(HistoryPage page, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.Number != ArchivedPages + 1)
        {
            throw new InvalidOperationException($"Page {page.Number} is not the next page ({ArchivedPages + 1}).");
        }
        var inbound = page.Inbound.Select(m => m.DeduplicationKey).ToHashSet(StringComparer.Ordinal);
        var outbound = page.Outbound.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        Inbound.RemoveAll(m => inbound.Contains(m.DeduplicationKey));
        Outbound.RemoveAll(m => outbound.Contains(m.Id));
        Events.RemoveAll(page.Events.Contains);
        foreach (var message in page.Outbound)
        {
            if (message.WhatsAppMessageId is { } wamid)
            {
                ArchivedOutbound[wamid] = new ArchivedOutbound(page.Number, now);
            }
        }
        foreach (var (wamid, archived) in ArchivedOutbound)
        {
            if (archived.At < now - DeduplicationWindow)
            {
                ArchivedOutbound.Remove(wamid);
            }
        }
        ArchivedPages = page.Number;
    }

    /// <summary>What the inbox shows of this conversation.</summary>
    public ConversationSummary ToSummary(CitizenKey key)
    {
        var last = Inbound.Count > 0 ? Inbound[^1] : null;
        return new ConversationSummary
        {
            CitizenKey = key.GrainKey,
            DisplayName = ProfileName,
            PhoneNumber = PhoneNumber,
            Status = Status,
            LastMessageAt = LastInboundAt ?? last?.SentAt ?? default,
            LastMessagePreview = LastInboundPreview ?? (last is null ? null : Preview(last)),
            Revision = Revision,
            Category = Category,
            Urgent = Urgent,
            DueAt = DueAt,
            SnoozedUntil = Status == ConversationStatus.Snoozed ? SnoozedUntil : null,
            Section = Section,
            Flooding = Flooding,
            Language = Language,
            WindowClosesAt = WindowClosesAt,
            Assignee = Assignee,
            Priority = Priority,
            Unread = LastInboundAt is { } inbound && (LastReadAt is not { } read || inbound > read),
            FailedMessages = Outbound.Count(m => m.State == DeliveryState.Failed),
            ResolvedAt = ResolvedAt,
            Ended = KeptConversations(),
        };
    }

    private static string Preview(InboundMessage message)
    {
        const int MaxLength = 80;
        if (message.Text is null)
        {
            return $"[{message.Type}]";
        }
        return message.Text.Length <= MaxLength ? message.Text : string.Concat(message.Text.AsSpan(0, MaxLength - 1), "…");
    }

    // Records the message id unless it was recorded before (false: a duplicate).
    private bool Remember(InboundMessage message, DateTimeOffset now)
    {
        var key = message.DeduplicationKey;
        var digest = Digest(key);
        if (ProcessedMessages.ContainsKey(digest) || ProcessedMessageIds.ContainsKey(key))
        {
            return false;
        }
        ForgetExpiredMessageIds(now);
        ProcessedMessages[digest] = now;
        return true;
    }

    // Meta does not guarantee order: insert after every message with the same or an earlier timestamp.
    private void Insert(InboundMessage message)
    {
        message = message with { ConversationNumber = ConversationNumber };
        var index = Inbound.Count;
        while (index > 0 && Inbound[index - 1].SentAt > message.SentAt)
        {
            index--;
        }
        Inbound.Insert(index, message);
    }

    private void StartConversation(DateTimeOffset at)
    {
        EndConversation(at);
        ConversationNumber++;
        CurrentConversationExpired = false;
        Acknowledged = false;
        Category = null;
        CategoryChosenByStaff = false;
        Urgent = false;
        DueAt = null;
        Flooding = false;
        SnoozedUntil = null;
        Status = ConversationStatus.New;
        ConversationStartedAt = at;
        AwaitingFirstResponse = true;
        AddEvent(new ConversationEvent(at, ConversationEvent.SystemActor, ConversationEventKind.Started, null, null));
    }

    private void ChangeStatusTo(ConversationStatus status, DateTimeOffset at, string actor, DateTimeOffset? until = null)
    {
        if (Status == status && status != ConversationStatus.Snoozed)
        {
            return;
        }
        var to = until is { } time
            ? $"{status} until {time.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}"
            : status.ToString();
        AddEvent(new ConversationEvent(at, actor, ConversationEventKind.StatusChanged, Status.ToString(), to));
        StatusChangedAt = at;
        CurrentConversationExpired = false;
        if (status != ConversationStatus.Snoozed)
        {
            SnoozedUntil = null;
        }
        Status = status;
    }

    private void AddEvent(ConversationEvent change)
    {
        Events.Add(change with { ConversationNumber = ConversationNumber });
        Revision++;
    }

    private OutboundMessage Enqueue(OutboundMessage message)
    {
        message = message with { ConversationNumber = ConversationNumber };
        Outbound.Add(message);
        Revision++;
        return message;
    }

    private string NextOutboundId() => $"out-{++OutboundSequence}";

    private void ForgetExpiredMessageIds(DateTimeOffset now)
    {
        var horizon = now - DeduplicationWindow;
        foreach (var (id, recordedAt) in ProcessedMessageIds)
        {
            if (recordedAt < horizon)
            {
                ProcessedMessageIds.Remove(id);
            }
        }
        foreach (var (digest, recordedAt) in ProcessedMessages)
        {
            if (recordedAt < horizon)
            {
                ProcessedMessages.Remove(digest);
            }
        }
        if (ProcessedMessages.Count >= MaxRememberedMessageIds)
        {
            // A flood within the window: forget the oldest ids (a duplicate that old is all but impossible).
            foreach (var (digest, _) in ProcessedMessages.OrderBy(p => p.Value).Take(ProcessedMessages.Count - MaxRememberedMessageIds + 1).ToList())
            {
                ProcessedMessages.Remove(digest);
            }
        }
    }

    /// <summary>Whether a message with this deduplication key is in the window.</summary>
    public bool HasProcessed(string deduplicationKey) =>
        ProcessedMessages.ContainsKey(Digest(deduplicationKey)) || ProcessedMessageIds.ContainsKey(deduplicationKey);

    /// <summary>The digest a deduplication key is remembered by (also in an erased citizen's tombstone).</summary>
    public static ulong Digest(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}

/// <summary>Where an archived outbound message lives, so that a late delivery report still reaches it.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ArchivedOutbound")]
public sealed record ArchivedOutbound([property: Id(0)] int Page, [property: Id(1)] DateTimeOffset At);
