using System.Collections.Immutable;
using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PhoneNumbers;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// Broadcast lists and broadcasts in the staff API: any staff member records a citizen's consent (who asked by phone,
/// in person, in writing) or removes them; supervisors and admins preview, send and follow broadcasts. Every call is
/// audited before it acts.
/// </summary>
public sealed partial class StaffApiService
{
    private const string ListsSegment = "/lists/";
    private const string BroadcastsSegment = "/broadcasts/";

    public override async Task<ListBroadcastListsResponse> ListBroadcastLists(ListBroadcastListsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        await RecordReadingAsync(caller, context, $"{request.Parent}/lists", null);
        var response = new ListBroadcastListsResponse();
        foreach (var (listId, options) in tenants.Find(tenant)?.Lists ?? [])
        {
            var overview = await cluster.GetGrain<Domain.IBroadcastListGrain>(Domain.ListIds.GrainKey(tenant, listId)).GetOverviewAsync();
            var list = new BroadcastList
            {
                Name = ListName(tenant, listId),
                DisplayName = options.Name,
                Description = options.Description ?? "",
                Members = overview.Members,
                HasTemplate = options.Templates.Count > 0 || tenants.Find(tenant)?.WindowTemplate is not null,
            };
            list.Languages.AddRange(options.EffectiveLanguages);
            list.MembersByLanguage.Add(overview.MembersByLanguage);
            foreach (var (language, words) in options.Keywords)
            {
                list.Keywords[language] = string.Join(", ", words);
            }
            response.Lists.Add(list);
        }
        return response;
    }

    public override async Task<ListMembership> AddListMember(AddListMemberRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, listId, citizen, caller) = await AuthorizeMembershipAsync(request.List, request.PhoneNumber, request.Conversation, context);
        var language = string.IsNullOrEmpty(request.Language)
            ? tenants.Find(tenant)?.Lists.GetValueOrDefault(listId)?.EffectiveLanguages[0] ?? "de"
            : request.Language;
        var membership = await cluster.GetGrain<Domain.ICitizenGrain>(citizen.GrainKey)
            .JoinListAsync(new Domain.ListJoin(listId, language, caller.Actor, request.ConsentNote));
        return ToProto(tenant, membership);
    }

    public override async Task<RemoveListMemberResponse> RemoveListMember(RemoveListMemberRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (_, listId, citizen, caller) = await AuthorizeMembershipAsync(request.List, request.PhoneNumber, request.Conversation, context);
        var removed = await cluster.GetGrain<Domain.ICitizenGrain>(citizen.GrainKey).LeaveListAsync(listId, caller.Actor);
        return new RemoveListMemberResponse { Removed = removed };
    }

    // A membership change: the list, the caller's tenant, the citizen; audited before it acts.
    private async Task<(string Tenant, string ListId, Domain.CitizenKey Citizen, StaffCaller Caller)> AuthorizeMembershipAsync(
        string list, string phoneNumber, string conversation, ServerCallContext context)
    {
        var (tenant, listId) = ParseResource(list, ListsSegment, "list");
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        var citizen = await MemberAsync(tenant, phoneNumber, conversation);
        await RecordAsync(caller, context, citizen.ResourceName);
        return (tenant, listId, citizen, caller);
    }

    public override async Task<CitizenConsent> GetCitizenConsent(GetCitizenConsentRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ParseConversationName(request.Conversation, "conversation");
        var caller = StaffCaller.From(context);
        caller.RequireTenant(key.Tenant);
        await RecordAsync(caller, context, key.ResourceName);
        var consent = await cluster.GetGrain<Domain.ICitizenGrain>(key.GrainKey).GetConsentAsync(caller.Actor);
        var response = new CitizenConsent { MarketingStopped = consent.MarketingStopped };
        response.Memberships.AddRange(consent.Memberships.Select(m => ToProto(key.Tenant, m)));
        response.History.AddRange(consent.History.Select(r => new ConsentRecord
        {
            List = r.ListId is { } listId ? ListName(key.Tenant, listId) : "",
            Joined = r.Action == Domain.ConsentAction.Joined,
            Time = Timestamp.FromDateTimeOffset(r.At),
            Channel = r.Channel switch
            {
                Domain.ConsentChannel.Keyword => "keyword",
                Domain.ConsentChannel.Staff => "staff",
                _ => "whatsapp_preference",
            },
            StaffId = r.StaffId ?? "",
            Language = r.Language ?? "",
            Note = r.Note ?? "",
        }));
        return response;
    }

    public override async Task<BroadcastPreview> PreviewBroadcast(PreviewBroadcastRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, listId) = ParseResource(request.List, ListsSegment, "list");
        var caller = RequireSupervisor(context, tenant);
        RequireList(tenant, listId);
        await RecordAsync(caller, context, null);
        var preview = await cluster.GetGrain<Domain.IBroadcastDirectoryGrain>(tenant).PreviewAsync(listId, FromProto(request.Content));
        var response = new BroadcastPreview
        {
            Members = preview.Members,
            AsText = preview.AsText,
            AsTemplate = preview.AsTemplate,
            Excluded = preview.Excluded,
            LimitRemaining = preview.LimitRemaining ?? -1,
        };
        response.ByLanguage.Add(preview.ByLanguage);
        response.Plan.AddRange(preview.Plan.Select(p => new BroadcastBatch { StartTime = Timestamp.FromDateTimeOffset(p.From), Recipients = p.Recipients }));
        return response;
    }

    public override async Task<Broadcast> SendBroadcast(SendBroadcastRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, listId) = ParseResource(request.List, ListsSegment, "list");
        var caller = RequireSupervisor(context, tenant);
        RequireList(tenant, listId);
        var id = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString("N") : request.RequestId;
        if (!IsResourceId(id))
        {
            throw new ArgumentException("request_id has 1 to 40 letters, digits, '-' or '_'.");
        }
        await RecordAsync(caller, context, null);
        var progress = await cluster.GetGrain<Domain.IBroadcastGrain>(Domain.ListIds.GrainKey(tenant, id))
            .StartAsync(new Domain.BroadcastRequest(listId, request.Title, FromProto(request.Content), caller.StaffId));
        return ToProto(tenant, progress);
    }

    public override async Task<Broadcast> GetBroadcast(GetBroadcastRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, id) = ParseResource(request.Name, BroadcastsSegment, "name");
        var caller = RequireSupervisor(context, tenant);
        await RecordReadingAsync(caller, context, request.Name, null);
        var progress = await cluster.GetGrain<Domain.IBroadcastGrain>(Domain.ListIds.GrainKey(tenant, id)).GetProgressAsync()
            ?? throw new KeyNotFoundException("No such broadcast.");
        return ToProto(tenant, progress);
    }

    public override async Task<ListBroadcastsResponse> ListBroadcasts(ListBroadcastsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = RequireSupervisor(context, tenant);
        if (request.PageSize < 0)
        {
            throw new ArgumentException("page_size must not be negative.");
        }
        await RecordReadingAsync(caller, context, $"{request.Parent}/broadcasts", null);
        var broadcasts = await cluster.GetGrain<Domain.IBroadcastDirectoryGrain>(tenant).ListAsync(request.PageSize == 0 ? 50 : request.PageSize);
        var response = new ListBroadcastsResponse();
        response.Broadcasts.AddRange(broadcasts.Select(b => ToProto(tenant, b)));
        return response;
    }

    private static StaffCaller RequireSupervisor(ServerCallContext context, string tenant, string refusal = "Broadcasts are sent by supervisors and admins.")
    {
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        caller.RequireSupervisor(refusal);
        return caller;
    }

    private void RequireList(string tenant, string listId)
    {
        if (tenants.Find(tenant)?.Lists.ContainsKey(listId) != true)
        {
            throw new KeyNotFoundException($"The tenant has no list '{listId}'.");
        }
    }

    // The citizen by their conversation, or by a phone number in international form (validated, never echoed): the
    // conversation of whoever wrote from that number (Meta may key them by their user id), else the number itself.
    private async Task<Domain.CitizenKey> MemberAsync(string tenant, string phoneNumber, string conversation)
    {
        if (!string.IsNullOrEmpty(conversation))
        {
            var key = ParseConversationName(conversation, "conversation");
            return key.Tenant == tenant ? key : throw new ArgumentException("conversation belongs to another tenant.");
        }
        var byNumber = PhoneKey(tenant, phoneNumber);
        return await cluster.GetGrain<Domain.ITenantInboxGrain>(tenant).FindByPhoneAsync("+" + byNumber.Identity) is { } known
            ? Domain.CitizenKey.ParseGrainKey(known)
            : byNumber;
    }

    // A configured staff number ("+49 151 …") and a number in E.164, compared as numbers.
    private static bool SameNumber(string configured, string e164)
    {
        try
        {
            return E164(configured) == e164;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Domain.CitizenKey PhoneKey(string tenant, string phoneNumber) => Domain.CitizenKey.Create(tenant, E164(phoneNumber)[1..]);

    private static string E164(string phoneNumber)
    {
        if (string.IsNullOrWhiteSpace(phoneNumber))
        {
            throw new ArgumentException("Give the citizen's phone_number or conversation.");
        }
        var util = PhoneNumberUtil.GetInstance();
        try
        {
            var trimmed = phoneNumber.Trim();
            var number = util.Parse(trimmed.StartsWith('+') || trimmed.StartsWith("00", StringComparison.Ordinal) ? trimmed : "+" + trimmed, "DE");
            if (util.IsValidNumber(number))
            {
                return util.Format(number, PhoneNumberFormat.E164);
            }
        }
        catch (NumberParseException)
        {
            // Answered below without the number: it is personal data.
        }
        throw new ArgumentException("phone_number is not a valid phone number in international form (+49 …).");
    }

    private static (string Tenant, string Id) ParseResource(string name, string segment, string field)
    {
        const string Prefix = "tenants/";
        if (name is not null && name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var at = name.IndexOf(segment, Prefix.Length, StringComparison.Ordinal);
            if (at > Prefix.Length)
            {
                var tenant = name[Prefix.Length..at];
                var id = name[(at + segment.Length)..];
                if (Domain.TenantId.IsValid(tenant) && IsResourceId(id))
                {
                    return (tenant, id);
                }
            }
        }
        throw new ArgumentException($"{field} must be 'tenants/{{phone_number_id}}{segment}{{id}}'.");
    }

    // A list or broadcast id: 1 to 40 letters, digits, '-' or '_'.
    private static bool IsResourceId(string id) =>
        id.Length is > 0 and <= 40 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string ListName(string tenant, string listId) => $"tenants/{tenant}{ListsSegment}{listId}";

    private static ListMembership ToProto(string tenant, Domain.ListMembership membership) => new()
    {
        List = ListName(tenant, membership.ListId),
        Language = membership.Language,
        JoinTime = Timestamp.FromDateTimeOffset(membership.Since),
    };

    private static Domain.BroadcastContent FromProto(BroadcastContent? content)
    {
        if (content is null)
        {
            throw new ArgumentException("content is required.");
        }
        return new Domain.BroadcastContent(
            content.Texts.Where(t => !string.IsNullOrWhiteSpace(t.Value)).ToImmutableDictionary(t => t.Key, t => t.Value),
            string.IsNullOrEmpty(content.TemplateName) ? null : content.TemplateName,
            [.. content.TemplateParameters],
            string.IsNullOrEmpty(content.TemplateCategory) ? "utility" : content.TemplateCategory);
    }

    private static Broadcast ToProto(string tenant, Domain.BroadcastProgress progress)
    {
        var proto = new Broadcast
        {
            Name = $"tenants/{tenant}{BroadcastsSegment}{progress.BroadcastId}",
            List = ListName(tenant, progress.ListId),
            Title = progress.Title,
            CreatedBy = progress.CreatedBy,
            CreateTime = Timestamp.FromDateTimeOffset(progress.CreatedAt),
            State = progress.Status switch
            {
                Domain.BroadcastStatus.Sending => BroadcastState.Sending,
                Domain.BroadcastStatus.WaitingForLimit => BroadcastState.WaitingForLimit,
                _ => BroadcastState.Completed,
            },
            Recipients = progress.Recipients,
            Pending = progress.Count(Domain.RecipientState.Pending),
            Deferred = progress.Count(Domain.RecipientState.Deferred),
            Queued = progress.Count(Domain.RecipientState.Queued),
            Sent = progress.Count(Domain.RecipientState.Sent),
            Delivered = progress.Count(Domain.RecipientState.Delivered),
            Read = progress.Count(Domain.RecipientState.Read),
            Failed = progress.Count(Domain.RecipientState.Failed),
            Skipped = progress.Count(Domain.RecipientState.Skipped),
            WaitingForAnswer = progress.Count(Domain.RecipientState.WaitingForAnswer),
            Replies = progress.Replies,
            NextBatchTime = progress.NextBatchAt is { } next ? Timestamp.FromDateTimeOffset(next) : null,
            CompleteTime = progress.CompletedAt is { } done ? Timestamp.FromDateTimeOffset(done) : null,
        };
        proto.FailedByReason.Add(progress.FailedByReason);
        if (progress.Content is { } content)
        {
            proto.Content = new BroadcastContent
            {
                TemplateName = content.TemplateName ?? "",
                TemplateCategory = content.TemplateCategory,
            };
            proto.Content.Texts.Add(content.Texts);
            proto.Content.TemplateParameters.AddRange(content.TemplateParameters);
        }
        return proto;
    }
}
