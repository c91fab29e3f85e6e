using GoldbachActors.Contracts.Staff.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
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
public sealed class StaffApiService(IClusterClient cluster) : StaffService.StaffServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public override async Task<ListConversationsResponse> ListConversations(
        ListConversationsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!TenantId.TryParseResourceName(request.Parent, out var tenant))
        {
            throw new ArgumentException("parent must be 'tenants/{phone_number_id}'.");
        }
        StaffCaller.From(context).RequireTenant(tenant);
        if (request.PageSize < 0)
        {
            throw new ArgumentException("page_size must not be negative.");
        }
        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);

        var page = await cluster.GetGrain<ITenantInboxGrain>(tenant)
            .ListAsync(pageSize, string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken);
        var response = new ListConversationsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Conversations.AddRange(page.Conversations.Select(StaffApiMapping.ToProto));
        return response;
    }

    public override async Task<Conversation> GetConversation(GetConversationRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ParseConversationName(request.Name, "name");
        StaffCaller.From(context).RequireTenant(key.Tenant);
        var snapshot = await cluster.GetGrain<ICitizenGrain>(key.GrainKey).GetConversationAsync()
            ?? throw new KeyNotFoundException("No such conversation.");
        return StaffApiMapping.ToProto(snapshot);
    }

    public override async Task<OutboundMessage> Reply(ReplyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ParseConversationName(request.Conversation, "conversation");
        var caller = StaffCaller.From(context);
        caller.RequireTenant(key.Tenant);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            throw new ArgumentException("text must not be empty.");
        }
        var requestId = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString("N") : request.RequestId;
        if (requestId.Length > 100)
        {
            throw new ArgumentException("request_id has at most 100 characters.");
        }
        var queued = await cluster.GetGrain<ICitizenGrain>(key.GrainKey)
            .ReplyAsync(new StaffReply(requestId, request.Text, caller.StaffId));
        return StaffApiMapping.ToProto(queued);
    }

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
            _ => ConversationStatus.Unspecified,
        },
        LastMessageTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(summary.LastMessageAt),
        LastMessagePreview = summary.LastMessagePreview ?? "",
    };

    public static Conversation ToProto(ConversationSnapshot snapshot)
    {
        var conversation = new Conversation { Summary = ToProto(snapshot.Summary) };
        var entries = snapshot.Inbound
            .Select(m => (Time: m.SentAt, Entry: new ConversationEntry { Inbound = ToProto(m) }))
            .Concat(snapshot.Outbound.Select(m => (Time: m.CreatedAt, Entry: new ConversationEntry { Outbound = ToProto(m) })))
            .OrderBy(e => e.Time)
            .Select(e => e.Entry);
        conversation.Entries.AddRange(entries);
        return conversation;
    }

    public static InboundMessage ToProto(Domain.InboundMessage message) => new()
    {
        WhatsappMessageId = message.WhatsAppMessageId,
        SendTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(message.SentAt),
        Type = message.Type,
        Text = message.Text ?? "",
    };

    public static OutboundMessage ToProto(Domain.OutboundMessage message) => new()
    {
        Id = message.Id,
        Kind = message.Kind switch
        {
            Domain.OutboundKind.Acknowledgement => OutboundKind.Acknowledgement,
            Domain.OutboundKind.StaffReply => OutboundKind.StaffReply,
            _ => OutboundKind.Unspecified,
        },
        Text = message.Text,
        State = message.State switch
        {
            Domain.DeliveryState.Queued => DeliveryState.Queued,
            Domain.DeliveryState.Sent => DeliveryState.Sent,
            Domain.DeliveryState.Failed => DeliveryState.Failed,
            _ => DeliveryState.Unspecified,
        },
        WhatsappMessageId = message.WhatsAppMessageId ?? "",
        CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(message.CreatedAt),
        SentBy = message.SentBy ?? "",
        FailureReason = message.FailureReason ?? "",
    };
}
