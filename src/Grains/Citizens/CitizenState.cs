using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// Everything the town keeps about one citizen, persisted as one record by the citizen grain. The methods are the
/// conversation's rules; they change only this object, so tests exercise them without a cluster.
/// </summary>
[GenerateSerializer, Alias("goldbach.CitizenState")]
public sealed class CitizenState
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

    /// <summary>WhatsApp message ids already recorded, with when: the deduplication window.</summary>
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

    /// <summary>True when the citizen has written at least once.</summary>
    public bool Exists => Inbound.Count > 0;

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
        var key = message.DeduplicationKey;
        if (ProcessedMessageIds.ContainsKey(key))
        {
            return false;
        }
        ForgetExpiredMessageIds(now);
        ProcessedMessageIds[key] = now;

        if (ConversationNumber == 0)
        {
            // The first conversation (or state written before conversations were counted: it keeps its acknowledgement).
            ConversationNumber = 1;
        }
        else if (rules is not null && rules.StartsNewConversation(LastActivity, message.SentAt))
        {
            ConversationNumber++;
            Acknowledged = false;
            Category = null;
            Urgent = false;
            DueAt = null;
        }
        if (LastInboundAt is not { } latest || message.SentAt > latest)
        {
            LastInboundAt = message.SentAt;
        }

        // Meta does not guarantee order: insert after every message with the same or an earlier timestamp.
        var index = Inbound.Count;
        while (index > 0 && Inbound[index - 1].SentAt > message.SentAt)
        {
            index--;
        }
        Inbound.Insert(index, message);

        PhoneNumber = message.PhoneNumber ?? PhoneNumber;
        ProfileName = message.ProfileName ?? ProfileName;
        Status = ConversationStatus.Open;
        Revision++;
        return true;
    }

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

    /// <summary>Queues a staff reply, or returns the one queued before under the same request id.</summary>
    public OutboundMessage QueueReply(StaffReply reply, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var earlier = Outbound.Find(m => m.RequestId == reply.RequestId);
        if (earlier is not null)
        {
            return earlier;
        }
        Status = ConversationStatus.WaitingForCitizen;
        LastStaffReplyAt = now;
        return Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.StaffReply,
            Text = reply.Text,
            CreatedAt = now,
            SentBy = reply.StaffId,
            RequestId = reply.RequestId,
        });
    }

    /// <summary>
    /// Applies a status report to the outbound message it names. Reports only move a message forward (see
    /// <see cref="DeliveryProgress"/>), so a repeated or late report changes nothing and needs no deduplication record.
    /// </summary>
    public ReceiveOutcome ApplyReport(DeliveryReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var index = Outbound.FindIndex(m => m.WhatsAppMessageId == report.WhatsAppMessageId);
        if (index < 0)
        {
            return ReceiveOutcome.Unmatched;
        }
        var message = Outbound[index];
        if (DeliveryProgress.Advance(message.State, report.Status) is not { } next)
        {
            return ReceiveOutcome.Duplicate;
        }
        var error = report.Errors.IsDefaultOrEmpty ? null : report.Errors[0];
        Outbound[index] = message with
        {
            State = next,
            StateChangedAt = report.At,
            FailureCode = next == DeliveryState.Failed ? error?.Code : message.FailureCode,
            FailureReason = next == DeliveryState.Failed
                ? MetaErrorTexts.Describe(error?.Code, error?.Details)
                : message.FailureReason,
        };
        Revision++;
        return ReceiveOutcome.Recorded;
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
            TryRecord(message with { PhoneNumber = null, ProfileName = null }, now);
        }
        foreach (var message in handover.Outbound)
        {
            Outbound.Add(message with { Id = NextOutboundId() });
        }
        Acknowledged |= handover.Acknowledged;
        PhoneNumber ??= handover.PhoneNumber;
        ProfileName ??= handover.ProfileName;
        Revision++;
    }

    /// <summary>What this identity hands over when it turns out to be another identity of a known citizen.</summary>
    public CitizenHandover ToHandover() =>
        new([.. Inbound], [.. Outbound], Acknowledged, PhoneNumber, ProfileName);

    /// <summary>Forgets the conversation after handing it over; from now on every call goes to <paramref name="canonical"/>.</summary>
    public void BecomeAlias(string canonical)
    {
        ForwardTo = canonical;
        Inbound.Clear();
        Outbound.Clear();
        ProfileName = null;
        PhoneNumber = null;
        Revision++;
    }

    // The conversation is alive while either side writes.
    private DateTimeOffset? LastActivity =>
        LastStaffReplyAt is { } reply && (LastInboundAt is not { } inbound || reply > inbound) ? reply : LastInboundAt;

    /// <summary>The oldest message still waiting to be sent, if any.</summary>
    public OutboundMessage? NextToSend() => Outbound.Find(m => m.State == DeliveryState.Queued);

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
    /// not replace it), urgency once danger was reported (then due at once), else due when the town hall opens next.
    /// </summary>
    public void ApplyTriage(TriageResult result, DateTimeOffset messageAt, DateTimeOffset? nextOpening)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Category is null or Triage.Other)
        {
            Category = result.Category;
        }
        if (result.Urgent && !Urgent)
        {
            Urgent = true;
            DueAt = messageAt;
        }
        else if (!Urgent && DueAt is null)
        {
            DueAt = nextOpening ?? messageAt;
        }
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
            LastMessageAt = last?.SentAt ?? default,
            LastMessagePreview = last is null ? null : Preview(last),
            Revision = Revision,
            Category = Category,
            Urgent = Urgent,
            DueAt = DueAt,
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

    private OutboundMessage Enqueue(OutboundMessage message)
    {
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
    }
}
