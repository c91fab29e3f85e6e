using GoldbachActors.Audit;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>The staff gRPC API (<c>goldbach.staff.v1.StaffService</c>) over the citizen and inbox grains.</summary>
[Authorize]
public sealed partial class StaffApiService(
    IClusterClient cluster, TenantSettingsCache tenants, StaffAuditLog audit, ReadingSittings sittings,
    Azure.Storage.Blobs.BlobServiceClient blobs, IOptions<StaffAuthenticationOptions> signIn, IHostEnvironment environment)
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
            InboxSection.Staff when caller.Actor.WorksStaffSection => Domain.InboxSection.Staff,
            InboxSection.Staff => throw new RpcException(new Status(StatusCode.PermissionDenied, "The staff coordination section is for supervisors.")),
            _ => caller.Actor.WorksStaffSection ? null : Domain.InboxSection.Citizens,
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
        var page = await cluster.GetGrain<Domain.ITenantInboxGrain>(tenant)
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
        var citizen = cluster.GetGrain<Domain.ICitizenGrain>(key.GrainKey);
        var snapshot = await citizen.GetConversationAsync() ?? throw new KeyNotFoundException("No such conversation.");
        var reader = StaffCaller.From(context);
        if (snapshot.Summary.Section == Domain.InboxSection.Staff && !reader.Actor.WorksStaffSection)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The staff coordination section is for supervisors."));
        }
        await RecordReadingAsync(reader, context, key.ResourceName);
        Opened(reader, key);
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
        var queued = await citizen.ReplyAsync(new Domain.StaffReply(RequestId(request.RequestId), request.Text, caller.Actor)
        {
            QuotedMessageId = string.IsNullOrEmpty(request.QuotedMessageId) ? null : request.QuotedMessageId,
        });
        return StaffApiMapping.ToProto(queued);
    }

    public override async Task<OutboundMessage> React(ReactRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.MessageId))
        {
            throw new ArgumentException("message_id must name the citizen's message.");
        }
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var queued = await citizen.ReactAsync(new Domain.StaffReaction(RequestId(request.RequestId), request.MessageId, request.Emoji, caller.Actor));
        return StaffApiMapping.ToProto(queued);
    }

    /// <summary>What the location request says when staff write nothing of their own.</summary>
    public const string DefaultLocationRequestText = "Bitte teilen Sie uns den Ort mit: Tippen Sie auf „Standort senden“ und wählen Sie die Stelle auf der Karte.";

    public override async Task<OutboundMessage> RequestLocation(RequestLocationRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var text = string.IsNullOrWhiteSpace(request.Text) ? DefaultLocationRequestText : request.Text;
        return StaffApiMapping.ToProto(await citizen.RequestLocationAsync(new Domain.StaffLocationRequest(RequestId(request.RequestId), text, caller.Actor)));
    }

    public override async Task<ConversationSummary> SetBlocked(SetBlockedRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var change = await citizen.ChangeBlockAsync(request.Blocked, caller.Actor);
        if (!change.Done)
        {
            var trailers = new Metadata();
            if (change.MetaCode is { } code)
            {
                trailers.Add("meta-code", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            throw new RpcException(new Status(StatusCode.FailedPrecondition, change.Reason ?? "WhatsApp hat abgelehnt."), trailers);
        }
        return StaffApiMapping.ToProto(change.Summary);
    }

    public override async Task<SignalTypingResponse> SignalTyping(SignalTypingRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ParseConversationName(request.Conversation, "conversation");
        var caller = StaffCaller.From(context);
        caller.RequireTenant(key.Tenant);
        // Recorded once per sitting, like a read: typing repeats every few seconds and changes nothing.
        await RecordReadingAsync(caller, context, key.ResourceName);
        return new SignalTypingResponse { Sent = await cluster.GetGrain<Domain.ICitizenGrain>(key.GrainKey).SignalTypingAsync(caller.Actor) };
    }

    public override async Task<ConversationEvent> AddNote(AddNoteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            throw new ArgumentException("text must not be empty.");
        }
        var note = await citizen.AddNoteAsync(new Domain.StaffNote(RequestId(request.RequestId), request.Text, caller.Actor));
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
        return StaffApiMapping.ToProto(await citizen.ChangeStatusAsync(new Domain.StatusChange(status, caller.Actor)));
    }

    public override async Task<ConversationSummary> Snooze(SnoozeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var until = request.SnoozeTime?.ToDateTimeOffset();
        return StaffApiMapping.ToProto(await citizen.ChangeStatusAsync(
            new Domain.StatusChange(Domain.ConversationStatus.Snoozed, caller.Actor, until)));
    }

    public override async Task<ConversationSummary> SetCategory(SetCategoryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (string.IsNullOrWhiteSpace(request.Category))
        {
            throw new ArgumentException("category must not be empty.");
        }
        return StaffApiMapping.ToProto(await citizen.SetCategoryAsync(request.Category, caller.Actor));
    }

    public override async Task<ConversationSummary> Assign(AssignRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        var assignee = string.IsNullOrEmpty(request.Assignee) ? null : request.Assignee;
        return StaffApiMapping.ToProto(await citizen.AssignAsync(assignee, caller.Actor));
    }

    public override async Task<ConversationSummary> SetPriority(SetPriorityRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        if (request.Priority == Priority.Unspecified)
        {
            throw new ArgumentException("priority must be NORMAL or HIGH.");
        }
        return StaffApiMapping.ToProto(await citizen.SetPriorityAsync(StaffApiMapping.FromProto(request.Priority), caller.Actor));
    }

    public override async Task<ConversationSummary> MarkRead(MarkReadRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (citizen, caller) = await AuthorizeAsync(request.Conversation, context);
        return StaffApiMapping.ToProto(await citizen.MarkReadAsync(caller.Actor));
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
        response.CannedReplies.AddRange((tenants.Find(tenant)?.CannedReplies ?? [])
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
        var inbox = cluster.GetGrain<Domain.ITenantInboxGrain>(tenant);
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
                if (change.Summary.Section == Domain.InboxSection.Staff && !caller.Actor.WorksStaffSection)
                {
                    continue;
                }
                await responseStream.WriteAsync(StaffApiMapping.ToProto(change, epoch), cancellation);
            }
            position = batch.Position;
        }
    }

    // The caller may work this conversation's tenant (the citizen grain applies the section rule to the change itself).
    private async Task<(Domain.ICitizenGrain Citizen, StaffCaller Caller)> AuthorizeAsync(string conversation, ServerCallContext context)
    {
        var key = ParseConversationName(conversation, "conversation");
        var caller = StaffCaller.From(context);
        caller.RequireTenant(key.Tenant);
        var citizen = cluster.GetGrain<Domain.ICitizenGrain>(key.GrainKey);
        await RecordAsync(caller, context, key.ResourceName);
        return (citizen, caller);
    }

    // Recorded before the call does anything: a call that cannot be recorded does nothing.
    private Task RecordAsync(StaffCaller caller, ServerCallContext context, string? conversation) =>
        audit.RecordAsync(caller.Tenant, caller.StaffId, caller.Name, caller.Role, context.Method[(context.Method.LastIndexOf('/') + 1)..], conversation, context.CancellationToken);

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

    private static string RequestId(string requested)
    {
        var id = string.IsNullOrEmpty(requested) ? Guid.NewGuid().ToString("N") : requested;
        return id.Length <= 100 ? id : throw new ArgumentException("request_id has at most 100 characters.");
    }

    private static string ParseParent(string parent, string field = "parent") =>
        Domain.TenantId.TryParseResourceName(parent, out var tenant)
            ? tenant
            : throw new ArgumentException($"{field} must be 'tenants/{{phone_number_id}}'.");

    private static Domain.CitizenKey ParseConversationName(string name, string field) =>
        Domain.CitizenKey.TryParseResourceName(name, out var key)
            ? key
            : throw new ArgumentException($"{field} must be 'tenants/{{phone_number_id}}/conversations/{{citizen}}'.");
}
