using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>The conversation: what the citizen writes, the acknowledgement, triage, staff changes and the life cycle.</summary>
public sealed partial class CitizenState
{
    /// <summary>When the 24-hour window closes, or null before the citizen ever wrote.</summary>
    public DateTimeOffset? WindowClosesAt => LastInboundAt + CustomerServiceWindow;

    /// <summary>Whether free text may go to the citizen at <paramref name="now"/>.</summary>
    public bool IsWindowOpen(DateTimeOffset now) => WindowClosesAt is { } closes && now < closes;

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
        else if (IsReference(message) && ConversationNumber > 0)
        {
            // A reaction, edit or deletion changes an earlier message: it neither reopens nor starts a conversation.
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
            LastInboundPreview = IsReference(message) ? LastInboundPreview ?? Preview(message) : Preview(message);
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
        Username = message.Username ?? Username;
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
            Username = Username,
            Blocked = Blocked,
        };
    }

    private static string Preview(InboundMessage message)
    {
        const int MaxLength = 80;
        if (message.RevokedAt is not null)
        {
            return DeletedText;
        }
        if (message.Text is null)
        {
            return message.Reaction is { } reaction ? $"Reaktion {reaction.Emoji}" : $"[{message.Type}]";
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
