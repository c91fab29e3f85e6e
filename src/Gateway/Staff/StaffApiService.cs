using GoldbachActors.Audit;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Staff.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using CitizenKey = GoldbachActors.Contracts.CitizenKey;
using ConversationSnapshot = GoldbachActors.Contracts.ConversationSnapshot;
using Domain = GoldbachActors.Contracts;
using ICitizenGrain = GoldbachActors.Contracts.ICitizenGrain;
using ITenantInboxGrain = GoldbachActors.Contracts.ITenantInboxGrain;
using StaffReply = GoldbachActors.Contracts.StaffReply;
using TenantId = GoldbachActors.Contracts.TenantId;

namespace GoldbachActors.Gateway.Staff;

/// <summary>The staff gRPC API (<c>goldbach.staff.v1.StaffService</c>) over the citizen and inbox grains.</summary>
[Authorize]
public sealed partial class StaffApiService(
    IClusterClient cluster, IOptionsMonitor<GoldbachOptions> tenants, StaffAuditLog audit, ReadingSittings sittings,
    Azure.Storage.Blobs.BlobServiceClient blobs)
    : StaffService.StaffServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;
    private static readonly TimeSpan WatchWait = TimeSpan.FromSeconds(15);

    public override async Task<ListConversationsResponse> ListConversations(
        ListConversationsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        if (request.PageSize < 0)
        {
            throw new ArgumentException("page_size must not be negative.");
        }
        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);

        // Agents work the citizens' section; supervisors and admins also see the staff coordination section.
        Domain.InboxSection? section = request.Section switch
        {
            InboxSection.Citizens => Domain.InboxSection.Citizens,
            InboxSection.Staff when caller.SeesStaffSection => Domain.InboxSection.Staff,
            InboxSection.Staff => throw new RpcException(new Status(StatusCode.PermissionDenied, "The staff coordination section is for supervisors.")),
            _ => caller.SeesStaffSection ? null : Domain.InboxSection.Citizens,
        };
        var filter = new Domain.InboxFilter
        {
            Status = request.Status == ConversationStatus.Unspecified ? null : StaffApiMapping.FromProto(request.Status),
            Category = string.IsNullOrEmpty(request.Category) ? null : request.Category,
            Priority = request.Priority == Priority.Unspecified ? null : StaffApiMapping.FromProto(request.Priority),
            Assignee = string.IsNullOrEmpty(request.Assignee) ? null : request.Assignee,
            DueBefore = request.DueBefore?.ToDateTimeOffset(),
            Text = string.IsNullOrWhiteSpace(request.Query) ? null : request.Query,
        };
        // Names, numbers and previews: audited once per sitting (the inbox refreshes its list).
        await RecordReadingAsync(caller, context, $"{request.Parent}/conversations/{section}", null);
        var page = await cluster.GetGrain<ITenantInboxGrain>(tenant)
            .ListAsync(pageSize, string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken, section, filter);
        var response = new ListConversationsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Conversations.AddRange(page.Conversations.Select(StaffApiMapping.ToProto));
        return response;
    }

    public override async Task<Conversation> GetConversation(GetConversationRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ParseConversationName(request.Name, "name");
        StaffCaller.From(context).RequireTenant(key.Tenant);
        var citizen = cluster.GetGrain<ICitizenGrain>(key.GrainKey);
        var snapshot = await citizen.GetConversationAsync() ?? throw new KeyNotFoundException("No such conversation.");
        var reader = StaffCaller.From(context);
        if (snapshot.Summary.Section == Domain.InboxSection.Staff && !reader.SeesStaffSection)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The staff coordination section is for supervisors."));
        }
        await RecordReadingAsync(reader, context, key.ResourceName);
        if (string.IsNullOrEmpty(request.PageToken))
        {
            return StaffApiMapping.ToProto(snapshot);
        }
        if (!HistoryPageToken.TryParse(request.PageToken, out var number) || number > snapshot.ArchivedPages)
        {
            throw new ArgumentException("page_token is not one this conversation issued.");
        }
        var page = await citizen.GetHistoryPageAsync(number)
            ?? throw new KeyNotFoundException("That page of the history is gone.");
        return StaffApiMapping.ToProto(snapshot.Summary, page);
    }

    public override async Task<OutboundMessage> Reply(ReplyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            throw new ArgumentException("text must not be empty.");
        }
        var queued = await citizen.ReplyAsync(new StaffReply(RequestId(request.RequestId), request.Text, caller.StaffId));
        return StaffApiMapping.ToProto(queued);
    }

    public override async Task<ConversationEvent> AddNote(AddNoteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            throw new ArgumentException("text must not be empty.");
        }
        var note = await citizen.AddNoteAsync(new Domain.StaffNote(RequestId(request.RequestId), request.Text, caller.StaffId));
        return StaffApiMapping.ToProto(note);
    }

    public override async Task<ConversationSummary> SetStatus(SetStatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var status = request.Status switch
        {
            ConversationStatus.Open => Domain.ConversationStatus.Open,
            ConversationStatus.WaitingForCitizen => Domain.ConversationStatus.WaitingForCitizen,
            ConversationStatus.Resolved => Domain.ConversationStatus.Resolved,
            ConversationStatus.Snoozed => throw new ArgumentException("Snooze a conversation with the Snooze call (it takes a time)."),
            _ => throw new ArgumentException("status must be OPEN, WAITING_FOR_CITIZEN or RESOLVED."),
        };
        return StaffApiMapping.ToProto(await citizen.ChangeStatusAsync(new Domain.StatusChange(status, caller.StaffId)));
    }

    public override async Task<ConversationSummary> Snooze(SnoozeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var until = request.SnoozeTime?.ToDateTimeOffset();
        return StaffApiMapping.ToProto(await citizen.ChangeStatusAsync(
            new Domain.StatusChange(Domain.ConversationStatus.Snoozed, caller.StaffId, until)));
    }

    public override async Task<ConversationSummary> SetCategory(SetCategoryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (string.IsNullOrWhiteSpace(request.Category))
        {
            throw new ArgumentException("category must not be empty.");
        }
        return StaffApiMapping.ToProto(await citizen.SetCategoryAsync(request.Category, caller.StaffId));
    }

    public override async Task<ConversationSummary> Assign(AssignRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var assignee = string.IsNullOrEmpty(request.Assignee) ? null : request.Assignee;
        if (!caller.SeesStaffSection)
        {
            // Agents take what nobody has for themselves, and give back their own; reassigning is a supervisor's.
            var current = (await citizen.GetConversationAsync())?.Summary.Assignee;
            var allowed = assignee == caller.StaffId ? current is null || current == caller.StaffId : assignee is null && current == caller.StaffId;
            if (!allowed && current != assignee)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    "Agents assign unassigned conversations to themselves and unassign their own; ask a supervisor to reassign."));
            }
        }
        return StaffApiMapping.ToProto(await citizen.AssignAsync(assignee, caller.StaffId));
    }

    public override async Task<ConversationSummary> SetPriority(SetPriorityRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (request.Priority == Priority.Unspecified)
        {
            throw new ArgumentException("priority must be NORMAL or HIGH.");
        }
        return StaffApiMapping.ToProto(await citizen.SetPriorityAsync(StaffApiMapping.FromProto(request.Priority), caller.StaffId));
    }

    public override async Task<ConversationSummary> MarkRead(MarkReadRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        return StaffApiMapping.ToProto(await citizen.MarkReadAsync(caller.StaffId));
    }

    public override async Task<Tenant> GetTenant(GetTenantRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Name, "name");
        StaffCaller.From(context).RequireTenant(tenant);
        var profile = await cluster.GetGrain<Domain.ITenantProfileGrain>(tenant).GetAsync();
        var response = new Tenant { Name = request.Name, DisplayName = profile.Name, WindowTemplate = profile.WindowTemplate ?? "" };
        response.Categories.AddRange(profile.Categories);
        response.Languages.AddRange(profile.Languages);
        return response;
    }

    public override Task<ListCannedRepliesResponse> ListCannedReplies(ListCannedRepliesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        StaffCaller.From(context).RequireTenant(tenant);
        var response = new ListCannedRepliesResponse();
        response.CannedReplies.AddRange((tenants.CurrentValue.Find(tenant)?.CannedReplies ?? [])
            .Select(r => new CannedReply { Title = r.Title, Text = r.Text }));
        return Task.FromResult(response);
    }

    public override async Task WatchInbox(WatchInboxRequest request, IServerStreamWriter<InboxEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        var inbox = cluster.GetGrain<ITenantInboxGrain>(tenant);
        var position = string.IsNullOrEmpty(request.Position) ? null : request.Position;
        var cancellation = context.CancellationToken;
        // Where the feed stands as the watch begins (a new watcher's own position): whatever happens after it reaches
        // this watcher, and the response headers tell the client so at once.
        position ??= (await inbox.WatchAsync(null, TimeSpan.Zero)).Position;
        await context.WriteResponseHeadersAsync(new Metadata { { Contracts.StaffApiMetadata.WatchPosition, position } });
        while (!cancellation.IsCancellationRequested)
        {
            // A stream shows names, numbers and previews for hours: recorded when it opens and again each time its
            // sitting runs out (see ReadingSittings), not for each event.
            await RecordReadingAsync(caller, context, $"{request.Parent}/inbox", null);
            // Long poll: the grain answers at once when something happened, else after the wait. This call's pace
            // is its client's (the write below waits for it); the grain and other watchers do not wait.
            var batch = await inbox.WatchAsync(position, WatchWait);
            if (batch.Reset)
            {
                await responseStream.WriteAsync(new InboxEvent { Position = batch.Position, Kind = InboxEventKind.Reset, Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }, cancellation);
            }
            var epoch = batch.Position[..batch.Position.IndexOf('.', StringComparison.Ordinal)];
            foreach (var change in batch.Events)
            {
                if (change.Summary.Section == Domain.InboxSection.Staff && !caller.SeesStaffSection)
                {
                    continue;
                }
                await responseStream.WriteAsync(StaffApiMapping.ToProto(change, epoch), cancellation);
            }
            position = batch.Position;
        }
    }

    // The caller may work this conversation: their tenant, and (below supervisor) not the staff coordination section.
    private async Task<(ICitizenGrain Citizen, StaffCaller Caller)> AuthorizeAsync(string conversation, ServerCallContext context)
    {
        var key = ParseConversationName(conversation, "conversation");
        var caller = StaffCaller.From(context);
        caller.RequireTenant(key.Tenant);
        var citizen = cluster.GetGrain<ICitizenGrain>(key.GrainKey);
        await RequireSectionAsync(caller, key);
        await RecordAsync(caller, context, key.ResourceName);
        return (citizen, caller);
    }

    // Below supervisor, staff work the citizens' section only: a staff number's conversation, consent and lists are
    // the supervisors'. A number that never wrote is known as a staff number from the tenant's configuration.
    private async Task RequireSectionAsync(StaffCaller caller, CitizenKey key)
    {
        if (caller.SeesStaffSection)
        {
            return;
        }
        var snapshot = await cluster.GetGrain<ICitizenGrain>(key.GrainKey).GetConversationAsync();
        var staffNumbers = tenants.CurrentValue.Find(key.Tenant)?.StaffNumbers ?? [];
        var number = snapshot?.Summary.PhoneNumber ?? (key.Identity.All(char.IsAsciiDigit) ? "+" + key.Identity : null);
        if (snapshot?.Summary.Section == Domain.InboxSection.Staff
            || (number is not null && staffNumbers.Any(n => SameNumber(n, number))))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The staff coordination section is for supervisors."));
        }
    }

    // Recorded before the call does anything: a call that cannot be recorded does nothing.
    private Task RecordAsync(StaffCaller caller, ServerCallContext context, string? conversation) =>
        audit.RecordAsync(caller.Tenant, caller.StaffId, caller.Role, context.Method[(context.Method.LastIndexOf('/') + 1)..], conversation, context.CancellationToken);

    // A read is recorded when it begins a sitting (see ReadingSittings): the inbox's polling adds no entries.
    private Task RecordReadingAsync(StaffCaller caller, ServerCallContext context, string conversation) =>
        RecordReadingAsync(caller, context, conversation, conversation);

    // The same for a read of something else (the inbox list, the audit log, broadcasts): subject names what was read
    // for the sitting; the entry names a conversation only where the read is about one.
    private async Task RecordReadingAsync(StaffCaller caller, ServerCallContext context, string subject, string? conversation)
    {
        var action = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        if (!sittings.Continues(caller.Tenant, caller.StaffId, action, subject))
        {
            await RecordAsync(caller, context, conversation);
            sittings.Began(caller.Tenant, caller.StaffId, action, subject);
        }
    }

    public override async Task<ListAuditEntriesResponse> ListAuditEntries(ListAuditEntriesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        if (!caller.SeesStaffSection)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The audit log is for supervisors and admins."));
        }
        if (request.PageSize < 0)
        {
            throw new ArgumentException("page_size must not be negative.");
        }
        await RecordReadingAsync(caller, context, $"{request.Parent}/auditEntries/{request.Conversation}", null);
        var (entries, next) = await audit.ListAsync(
            tenant, request.PageSize == 0 ? 100 : Math.Min(request.PageSize, 1000),
            string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken,
            string.IsNullOrEmpty(request.Conversation) ? null : request.Conversation, context.CancellationToken);
        var response = new ListAuditEntriesResponse { NextPageToken = next ?? "" };
        response.Entries.AddRange(entries.Select(e => new AuditEntry
        {
            Time = Timestamp.FromDateTimeOffset(e.At),
            StaffId = e.StaffId,
            Role = e.Role,
            Action = e.Action,
            Conversation = e.Conversation ?? "",
        }));
        return response;
    }

    private static string RequestId(string requested)
    {
        var id = string.IsNullOrEmpty(requested) ? Guid.NewGuid().ToString("N") : requested;
        return id.Length <= 100 ? id : throw new ArgumentException("request_id has at most 100 characters.");
    }

    private static string ParseParent(string parent, string field = "parent") =>
        TenantId.TryParseResourceName(parent, out var tenant)
            ? tenant
            : throw new ArgumentException($"{field} must be 'tenants/{{phone_number_id}}'.");

    private static CitizenKey ParseConversationName(string name, string field) =>
        CitizenKey.TryParseResourceName(name, out var key)
            ? key
            : throw new ArgumentException($"{field} must be 'tenants/{{phone_number_id}}/conversations/{{citizen}}'.");
}

/// <summary>Maps the grains' records to the staff API's messages.</summary>
internal static class StaffApiMapping
{
    public static ConversationSummary ToProto(Domain.ConversationSummary summary) => new()
    {
        Name = CitizenKey.ParseGrainKey(summary.CitizenKey).ResourceName,
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
        WindowOpen = summary.WindowClosesAt is { } open && DateTimeOffset.UtcNow < open,
    };

    public static Conversation ToProto(ConversationSnapshot snapshot) =>
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
        };
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

    public static OutboundMessage ToProto(Domain.OutboundMessage message) => new()
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
    };
}

/// <summary>The page token of a conversation's history: "history/{page}", the next older archived page.</summary>
internal static class HistoryPageToken
{
    private const string Prefix = "history/";

    public static string Format(int page) => Prefix + page.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string token, out int page)
    {
        page = 0;
        return token.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(token.AsSpan(Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out page)
            && page >= 1;
    }
}
