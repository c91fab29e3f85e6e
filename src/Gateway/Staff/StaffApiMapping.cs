using GoldbachActors.Audit;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>Maps the grains' records to the staff API's messages.</summary>
internal static class StaffApiMapping
{
    public static ConversationSummary ToProto(Domain.ConversationSummary summary) => new()
    {
        Name = Domain.CitizenKey.ParseGrainKey(summary.CitizenKey).ResourceName,
        DisplayName = summary.DisplayName ?? "",
        PhoneNumber = summary.PhoneNumber ?? "",
        Status = summary.Status switch
        {
            Domain.ConversationStatus.Open => ConversationStatus.Open,
            Domain.ConversationStatus.WaitingForCitizen => ConversationStatus.WaitingForCitizen,
            Domain.ConversationStatus.New => ConversationStatus.New,
            Domain.ConversationStatus.Snoozed => ConversationStatus.Snoozed,
            Domain.ConversationStatus.Resolved => ConversationStatus.Resolved,
            _ => ConversationStatus.Unspecified,
        },
        LastMessageTime = Timestamp.FromDateTimeOffset(summary.LastMessageAt),
        LastMessagePreview = summary.LastMessagePreview ?? "",
        Category = summary.Category ?? "",
        Urgent = summary.Urgent,
        DueTime = summary.DueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
        SnoozeTime = summary.SnoozedUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
        Section = summary.Section == Domain.InboxSection.Staff ? InboxSection.Staff : InboxSection.Citizens,
        Flooding = summary.Flooding,
        Language = summary.Language ?? "",
        WindowCloseTime = summary.WindowClosesAt is { } closes ? Timestamp.FromDateTimeOffset(closes) : null,
        Assignee = summary.Assignee ?? "",
        Priority = summary.Priority == Domain.ConversationPriority.High ? Priority.High : Priority.Normal,
        Unread = summary.Unread,
        FailedMessages = summary.FailedMessages,
        Username = summary.Username ?? "",
        Blocked = summary.Blocked,
        WindowOpen = summary.WindowClosesAt is { } open && DateTimeOffset.UtcNow < open,
    };

    public static Conversation ToProto(Domain.ConversationSnapshot snapshot) =>
        ToProto(snapshot.Summary, snapshot.Inbound, snapshot.Outbound, snapshot.Events, snapshot.ArchivedPages);

    public static Conversation ToProto(Domain.ConversationSummary summary, Domain.HistoryPage page) =>
        ToProto(summary, page.Inbound, page.Outbound, page.Events, page.Number - 1);

    private static Conversation ToProto(
        Domain.ConversationSummary summary,
        IEnumerable<Domain.InboundMessage> inbound,
        IEnumerable<Domain.OutboundMessage> outbound,
        IEnumerable<Domain.ConversationEvent> events,
        int olderPage)
    {
        var conversation = new Conversation
        {
            Summary = ToProto(summary),
            NextPageToken = olderPage >= 1 ? HistoryPageToken.Format(olderPage) : "",
        };
        var entries = inbound
            .Select(m => (Time: m.SentAt, Order: 0, Entry: new ConversationEntry { Inbound = ToProto(m) }))
            .Concat(outbound.Select(m => (Time: m.CreatedAt, Order: 1, Entry: new ConversationEntry { Outbound = ToProto(m) })))
            .Concat(events.Select(e => (Time: e.At, Order: 2, Entry: new ConversationEntry { Event = ToProto(e) })))
            .OrderBy(e => e.Time).ThenBy(e => e.Order)
            .Select(e => e.Entry);
        conversation.Entries.AddRange(entries);
        return conversation;
    }

    public static Domain.ConversationPriority FromProto(Priority priority) => priority switch
    {
        Priority.High => Domain.ConversationPriority.High,
        Priority.Normal => Domain.ConversationPriority.Normal,
        _ => throw new ArgumentException("priority must be NORMAL or HIGH."),
    };

    public static Domain.ConversationStatus FromProto(ConversationStatus status) => status switch
    {
        ConversationStatus.New => Domain.ConversationStatus.New,
        ConversationStatus.Open => Domain.ConversationStatus.Open,
        ConversationStatus.WaitingForCitizen => Domain.ConversationStatus.WaitingForCitizen,
        ConversationStatus.Snoozed => Domain.ConversationStatus.Snoozed,
        ConversationStatus.Resolved => Domain.ConversationStatus.Resolved,
        _ => throw new ArgumentException("status is not a conversation status."),
    };

    public static InboxEvent ToProto(Domain.InboxEvent change, string epoch) => new()
    {
        Position = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{epoch}.{change.Position}"),
        Kind = change.Kind switch
        {
            Domain.InboxEventKind.NewConversation => InboxEventKind.NewConversation,
            Domain.InboxEventKind.NewMessage => InboxEventKind.NewMessage,
            Domain.InboxEventKind.StatusChanged => InboxEventKind.StatusChanged,
            Domain.InboxEventKind.UrgentEscalation => InboxEventKind.UrgentEscalation,
            Domain.InboxEventKind.Updated => InboxEventKind.Updated,
            Domain.InboxEventKind.Assigned => InboxEventKind.Assigned,
            Domain.InboxEventKind.DeliveryFailed => InboxEventKind.DeliveryFailed,
            _ => InboxEventKind.Unspecified,
        },
        Conversation = ToProto(change.Summary),
        Time = Timestamp.FromDateTimeOffset(change.At),
    };

    public static ConversationEvent ToProto(Domain.ConversationEvent change) => new()
    {
        Time = Timestamp.FromDateTimeOffset(change.At),
        Actor = change.Actor,
        Kind = change.Kind switch
        {
            Domain.ConversationEventKind.Started => ConversationEventKind.Started,
            Domain.ConversationEventKind.StatusChanged => ConversationEventKind.StatusChanged,
            Domain.ConversationEventKind.CategoryChanged => ConversationEventKind.CategoryChanged,
            Domain.ConversationEventKind.Escalated => ConversationEventKind.Escalated,
            Domain.ConversationEventKind.FloodFlagged => ConversationEventKind.FloodFlagged,
            Domain.ConversationEventKind.Note => ConversationEventKind.Note,
            Domain.ConversationEventKind.Assigned => ConversationEventKind.Assigned,
            Domain.ConversationEventKind.PriorityChanged => ConversationEventKind.PriorityChanged,
            Domain.ConversationEventKind.Blocked => ConversationEventKind.Blocked,
            Domain.ConversationEventKind.Unblocked => ConversationEventKind.Unblocked,
            _ => ConversationEventKind.Unspecified,
        },
        From = change.From ?? "",
        To = change.To ?? "",
    };

    public static InboundMessage ToProto(Domain.InboundMessage message)
    {
        var proto = new InboundMessage
        {
            WhatsappMessageId = message.WhatsAppMessageId,
            SendTime = Timestamp.FromDateTimeOffset(message.SentAt),
            Type = message.Type,
            Text = message.Text ?? "",
            UnsupportedType = message.UnsupportedType ?? "",
            GroupId = message.GroupId ?? "",
            ReplyToBroadcast = message.ReplyToBroadcast ?? "",
            EditTime = message.EditedAt is { } edited ? Timestamp.FromDateTimeOffset(edited) : null,
            RevokeTime = message.RevokedAt is { } revoked ? Timestamp.FromDateTimeOffset(revoked) : null,
            CitizenReaction = message.CitizenReaction ?? "",
            TownReaction = message.TownReaction ?? "",
            AppliedToTarget = message.AppliedToTarget,
            TargetMessageId = message.Edit?.OriginalMessageId ?? message.RevokedMessageId ?? "",
        };
        proto.PreviousTexts.AddRange(message.PreviousTexts ?? []);
        if (message.Quoted is { } quoted)
        {
            proto.Quoted = new QuotedMessage { MessageId = quoted.MessageId, FromTown = quoted.FromTown, Preview = quoted.Preview ?? "" };
        }
        if (message.Context is { } context)
        {
            proto.Context = new MessageContext
            {
                RepliedToMessageId = context.RepliedToMessageId ?? "",
                Forwarded = context.Forwarded,
                FrequentlyForwarded = context.FrequentlyForwarded,
            };
        }
        if (message.Media is { } media)
        {
            proto.Media = new Media
            {
                Kind = media.Kind,
                MimeType = media.MimeType ?? "",
                Caption = media.Caption ?? "",
                FileName = media.FileName ?? "",
                Voice = media.Voice,
                Status = media.Status switch
                {
                    Domain.MediaStatus.Pending => MediaStatus.Pending,
                    Domain.MediaStatus.Stored => MediaStatus.Stored,
                    Domain.MediaStatus.Failed => MediaStatus.Failed,
                    _ => MediaStatus.Unspecified,
                },
                SizeBytes = media.SizeBytes ?? 0,
                FailureReason = media.FailureReason ?? "",
                DownloadPath = media is { Status: Domain.MediaStatus.Stored, BlobName: { } blobName } ? StaffMediaEndpoints.PathFor(blobName) : "",
            };
        }
        if (message.Location is { } location)
        {
            proto.Location = new Location
            {
                Latitude = location.Latitude,
                Longitude = location.Longitude,
                Name = location.Name ?? "",
                Address = location.Address ?? "",
                Url = location.Url ?? "",
            };
        }
        foreach (var contact in message.Contacts.IsDefault ? [] : message.Contacts)
        {
            var card = new SharedContact { FormattedName = contact.FormattedName ?? "", Organization = contact.Organization ?? "" };
            card.PhoneNumbers.AddRange(contact.PhoneNumbers.IsDefault ? [] : contact.PhoneNumbers);
            card.Emails.AddRange(contact.Emails.IsDefault ? [] : contact.Emails);
            proto.Contacts.Add(card);
        }
        if (message.Button is { } button)
        {
            proto.Button = new ButtonReply { Kind = button.Kind, Id = button.Id ?? "", Title = button.Title ?? "", Description = button.Description ?? "" };
        }
        if (message.Reaction is { } reaction)
        {
            proto.Reaction = new Reaction { MessageId = reaction.MessageId, Emoji = reaction.Emoji ?? "" };
        }
        if (message.System is { } system)
        {
            // The notice's new number or user id is personal data staff do not need; kind and text suffice.
            proto.System = new SystemNotice { Kind = system.Kind, Body = system.Body ?? "" };
        }
        foreach (var error in message.Errors.IsDefault ? [] : message.Errors)
        {
            proto.Errors.Add(new WhatsAppError { Code = error.Code, Title = error.Title ?? "", Details = error.Details ?? "" });
        }
        if (message.Referral is { } referral)
        {
            proto.Referral = new Referral
            {
                SourceUrl = referral.SourceUrl ?? "",
                SourceType = referral.SourceType ?? "",
                Headline = referral.Headline ?? "",
                Body = referral.Body ?? "",
            };
        }
        return proto;
    }

    public static OutboundMessage ToProto(Domain.OutboundMessage message)
    {
        var proto = ToProtoCore(message);
        if (message.Quoted is { } quoted)
        {
            proto.Quoted = new QuotedMessage { MessageId = quoted.MessageId, FromTown = quoted.FromTown, Preview = quoted.Preview ?? "" };
        }
        return proto;
    }

    private static OutboundMessage ToProtoCore(Domain.OutboundMessage message) => new()
    {
        Id = message.Id,
        Kind = message.Kind switch
        {
            Domain.OutboundKind.Acknowledgement => OutboundKind.Acknowledgement,
            Domain.OutboundKind.StaffReply => OutboundKind.StaffReply,
            Domain.OutboundKind.WindowTemplate => OutboundKind.WindowTemplate,
            Domain.OutboundKind.Broadcast => OutboundKind.Broadcast,
            Domain.OutboundKind.BroadcastTemplate => OutboundKind.BroadcastTemplate,
            Domain.OutboundKind.ListConfirmation => OutboundKind.ListConfirmation,
            Domain.OutboundKind.AppEcho => OutboundKind.AppEcho,
            Domain.OutboundKind.Reaction => OutboundKind.Reaction,
            Domain.OutboundKind.RequestStatus => OutboundKind.RequestStatus,
            Domain.OutboundKind.LocationRequest => OutboundKind.LocationRequest,
            _ => OutboundKind.Unspecified,
        },
        Text = message.Text,
        State = message.State switch
        {
            Domain.DeliveryState.Queued => DeliveryState.Queued,
            Domain.DeliveryState.Sent => DeliveryState.Sent,
            Domain.DeliveryState.Failed => DeliveryState.Failed,
            Domain.DeliveryState.Delivered => DeliveryState.Delivered,
            Domain.DeliveryState.Read => DeliveryState.Read,
            Domain.DeliveryState.Sending => DeliveryState.Sending,
            Domain.DeliveryState.WaitingForWindow => DeliveryState.WaitingForWindow,
            _ => DeliveryState.Unspecified,
        },
        WhatsappMessageId = message.WhatsAppMessageId ?? "",
        CreateTime = Timestamp.FromDateTimeOffset(message.CreatedAt),
        Broadcast = message.BroadcastId ?? "",
        SentBy = message.SentBy ?? "",
        FailureReason = message.FailureReason ?? "",
        FailureCode = message.FailureCode ?? 0,
        StateChangeTime = message.StateChangedAt is { } changed ? Timestamp.FromDateTimeOffset(changed) : null,
        CitizenReaction = message.CitizenReaction ?? "",
        EditTime = message.EditedAt is { } edited ? Timestamp.FromDateTimeOffset(edited) : null,
        RevokeTime = message.RevokedAt is { } revoked ? Timestamp.FromDateTimeOffset(revoked) : null,
        ReactionTo = message.ReactionTo ?? "",
    };
}
