using System.Collections.Immutable;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>Requests (Anliegen): made from a conversation, listed with filters, moved on, published (see docs/requests.md).</summary>
public sealed partial class StaffApiService
{
    private const string RequestsSegment = "/requests/";
    private const int DefaultRequestPageSize = 200;

    public override async Task<ServiceRequest> CreateRequest(CreateRequestRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        var settings = tenants.Find(tenant) ?? throw new KeyNotFoundException($"Unknown tenant {tenant}.");

        Domain.CitizenKey? citizen = null;
        Domain.ConversationSnapshot? conversation = null;
        if (!string.IsNullOrEmpty(request.Conversation))
        {
            citizen = ParseConversationName(request.Conversation, "conversation");
            if (citizen.Value.Tenant != tenant)
            {
                throw new ArgumentException("conversation belongs to another tenant.");
            }
            conversation = await cluster.GetGrain<Domain.ICitizenGrain>(citizen.Value.GrainKey).GetConversationAsync()
                ?? throw new KeyNotFoundException($"No conversation {request.Conversation}.");
        }
        await RecordAsync(caller, context, citizen?.ResourceName);

        var serviceCode = !string.IsNullOrEmpty(request.ServiceCode)
            ? request.ServiceCode
            : ServiceCatalog.ServiceFor(settings, conversation?.Summary.Category)
                ?? throw new ArgumentException("service_code is needed: the conversation's category has no service.");
        var place = !string.IsNullOrWhiteSpace(request.Address) ? PlaceOfAddress(settings, request.Address, request.Place?.Private ?? false)
            : request.Place is { } given
            ? new Domain.RequestPlace(given.Latitude, given.Longitude, NullIfEmpty(given.Address), Domain.RequestPlaceSource.StreetList, given.Private)
            : request.PlaceFromConversation ? PlaceOf(conversation) : null;
        var photos = request.PhotosFromConversation || request.PhotoMessageIds.Count > 0
            ? PhotosOf(conversation, [.. request.PhotoMessageIds])
            : [];
        var created = await cluster.GetGrain<Domain.IServiceRequestsGrain>(tenant).CreateAsync(new Domain.NewServiceRequest(
            serviceCode, request.Description, place, photos, citizen?.GrainKey, caller.StaffId, RequestId(request.RequestId))
        {
            NamesToScrub = NamesOf(conversation),
        });
        return ToProto(created, settings, citizen);
    }

    public override async Task<ListRequestsResponse> ListRequests(ListRequestsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        if (request.PageSize is < 0 or > 10_000)
        {
            throw new ArgumentException("page_size is 0 (default 200) to 10,000.");
        }
        var citizen = string.IsNullOrEmpty(request.Conversation) ? (Domain.CitizenKey?)null : ParseConversationName(request.Conversation, "conversation");
        await RecordReadingAsync(caller, context, $"tenants/{tenant}/requests", citizen?.ResourceName);
        var found = await cluster.GetGrain<Domain.IServiceRequestsGrain>(tenant).ListAsync(new Domain.ServiceRequestFilter
        {
            ServiceCodes = [.. request.ServiceCodes],
            Statuses = [.. request.Statuses.Where(s => s != RequestStatus.Unspecified).Select(FromProto)],
            // Department staff see their department's requests only, whatever they ask for.
            Department = caller.Department ?? NullIfEmpty(request.Department),
            Overdue = request.Overdue,
            CitizenKey = citizen?.GrainKey,
            Limit = request.PageSize == 0 ? DefaultRequestPageSize : request.PageSize,
        });
        var settings = tenants.Find(tenant);
        var response = new ListRequestsResponse();
        response.Requests.AddRange(found.Select(r => View(caller, r, settings)));
        return response;
    }

    public override async Task<ServiceRequest> GetRequest(GetRequestRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, id) = ParseRequestName(request.Name);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        var found = Visible(caller, await cluster.GetGrain<Domain.IServiceRequestsGrain>(tenant).GetAsync(id))
            ?? throw new KeyNotFoundException($"No request {request.Name}.");
        await RecordReadingAsync(caller, context, request.Name, ConversationOf(found));
        return View(caller, found, tenants.Find(tenant));
    }

    public override async Task<ServiceRequest> UpdateRequestStatus(UpdateRequestStatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, id) = ParseRequestName(request.Name);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        if (request.Status == RequestStatus.Unspecified)
        {
            throw new ArgumentException("status is needed.");
        }
        var grain = cluster.GetGrain<Domain.IServiceRequestsGrain>(tenant);
        var current = Visible(caller, await grain.GetAsync(id)) ?? throw new KeyNotFoundException($"No request {request.Name}.");
        await RecordAsync(caller, context, ConversationOf(current));
        try
        {
            return View(caller, await grain.SetStatusAsync(id, FromProto(request.Status), NullIfEmpty(request.StatusNotes), caller.StaffId, request.Version),
                tenants.Find(tenant));
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.Aborted, ex.Message));
        }
    }

    public override async Task<ServiceRequest> PublishRequest(PublishRequestRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tenant, id) = ParseRequestName(request.Name);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        var grain = cluster.GetGrain<Domain.IServiceRequestsGrain>(tenant);
        var current = await grain.GetAsync(id) ?? throw new KeyNotFoundException($"No request {request.Name}.");
        await RecordAsync(caller, context, ConversationOf(current));
        return ToProto(await grain.PublishAsync(id, NullIfEmpty(request.PublicDescription), [.. request.ReleasedPhotoMessageIds],
            request.HasPrivatePlace ? request.PrivatePlace : null, caller.StaffId), tenants.Find(tenant), null);
    }

    public override Task<ListRequestServicesResponse> ListRequestServices(ListRequestServicesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        StaffCaller.From(context).RequireTenant(tenant);
        var settings = tenants.Find(tenant) ?? throw new KeyNotFoundException($"Unknown tenant {tenant}.");
        var response = new ListRequestServicesResponse();
        response.Services.AddRange(ServiceCatalog.Services(settings).Select(s => new RequestService
        {
            ServiceCode = s.Key,
            Name = s.Value.Name,
            Category = s.Value.Category ?? "",
            Department = s.Value.Department,
            TurnaroundWorkingDays = s.Value.TurnaroundWorkingDays,
            DepartmentName = ServiceCatalog.Departments(settings).GetValueOrDefault(s.Value.Department)?.Name ?? s.Value.Department,
        }));
        return Task.FromResult(response);
    }

    // The newest location the citizen shared in the recent history (a citizen's own phone: private until staff say not).
    private static Domain.RequestPlace? PlaceOf(Domain.ConversationSnapshot? conversation) =>
        conversation?.Inbound.LastOrDefault(m => m.Location is not null)?.Location is { } shared
            ? new Domain.RequestPlace(shared.Latitude, shared.Longitude, shared.Address ?? shared.Name, Domain.RequestPlaceSource.SharedLocation, Private: true)
            : null;

    // The conversation's stored images: the named ones, or all of them when none are named.
    private static ImmutableArray<Domain.RequestPhoto> PhotosOf(Domain.ConversationSnapshot? conversation, IReadOnlyCollection<string> named)
    {
        var images = (conversation?.Inbound ?? []).Where(m => m.Media is { Kind: "image", Status: Domain.MediaStatus.Stored, BlobName: not null })
            .Where(m => named.Count == 0 || named.Contains(m.WhatsAppMessageId)).ToList();
        if (named.Except(images.Select(m => m.WhatsAppMessageId)).FirstOrDefault() is { } missing)
        {
            throw new ArgumentException($"photo_message_ids: {missing} is no stored image of this conversation.");
        }
        return [.. images.Select(m => new Domain.RequestPhoto(m.WhatsAppMessageId, m.Media!.BlobName!, m.Media.MimeType, Released: false))];
    }

    private static ImmutableArray<string> NamesOf(Domain.ConversationSnapshot? conversation) =>
        conversation is null
            ? []
            : [.. conversation.Inbound.Select(m => m.ProfileName).Append(conversation.Summary.DisplayName).OfType<string>().Distinct(StringComparer.Ordinal)];

    // The town's own list, offline: no outside geocoder learns what citizens report.
    private static Domain.RequestPlace PlaceOfAddress(TenantOptions settings, string typed, bool isPrivate)
    {
        if (string.IsNullOrWhiteSpace(settings.StreetListFile))
        {
            throw new ArgumentException("Diese Gemeinde hat kein Straßenverzeichnis (StreetListFile): bitte den Ort mit Koordinaten angeben.");
        }
        StreetDirectory streets;
        try
        {
            streets = StreetDirectory.For(settings.StreetListFile);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Das Straßenverzeichnis ist nicht lesbar: {ex.Message}");
        }
        var match = streets.Find(typed);
        if (match.Address is not { } address)
        {
            throw new ArgumentException(match.Suggestions.Count == 0
                ? $"„{typed.Trim()}“ steht nicht im Straßenverzeichnis."
                : $"„{typed.Trim()}“ steht nicht im Straßenverzeichnis. Meinten Sie: {string.Join(", ", match.Suggestions)}?");
        }
        return new Domain.RequestPlace(address.Latitude, address.Longitude, address.Text, Domain.RequestPlaceSource.StreetList, isPrivate);
    }

    // Another department's request does not exist for department staff (not even its number).
    private static Domain.ServiceRequest? Visible(StaffCaller caller, Domain.ServiceRequest? request) =>
        request is null || caller.Department is null || string.Equals(request.Department, caller.Department, StringComparison.Ordinal) ? request : null;

    // Department staff get what the work needs, as the department's mail does: the public text instead of the citizen's
    // words, no conversation, no contact.
    private static ServiceRequest View(StaffCaller caller, Domain.ServiceRequest request, TenantOptions? settings)
    {
        var proto = ToProto(request, settings, null);
        if (caller.IsDepartmentStaff)
        {
            proto.Description = request.PublicDescription;
            proto.Conversation = "";
            proto.Contact = "";
        }
        return proto;
    }

    private static string? ConversationOf(Domain.ServiceRequest request) =>
        request.CitizenKey is { } key ? Domain.CitizenKey.ParseGrainKey(key).ResourceName : null;

    private static (string Tenant, string Id) ParseRequestName(string name)
    {
        var at = name?.IndexOf(RequestsSegment, StringComparison.Ordinal) ?? -1;
        if (at < 0 || !Domain.TenantId.TryParseResourceName(name![..at], out var tenant) || name.Length == at + RequestsSegment.Length)
        {
            throw new ArgumentException("name must be 'tenants/{phone_number_id}/requests/{id}'.");
        }
        return (tenant, name[(at + RequestsSegment.Length)..]);
    }

    private static ServiceRequest ToProto(Domain.ServiceRequest request, TenantOptions? settings, Domain.CitizenKey? citizen)
    {
        var services = settings is null ? null : ServiceCatalog.Services(settings);
        var departments = settings is null ? null : ServiceCatalog.Departments(settings);
        var proto = new ServiceRequest
        {
            Name = $"tenants/{request.Tenant}{RequestsSegment}{request.Id}",
            Id = request.Id,
            ServiceCode = request.ServiceCode,
            ServiceName = services?.GetValueOrDefault(request.ServiceCode)?.Name ?? request.ServiceCode,
            Description = request.Description,
            PublicDescription = request.PublicDescription,
            Department = request.Department,
            DepartmentName = departments?.GetValueOrDefault(request.Department)?.Name ?? request.Department,
            Status = ToProto(request.Status),
            StatusNotes = request.StatusNotes ?? "",
            CreateTime = Timestamp.FromDateTimeOffset(request.RequestedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(request.UpdatedAt),
            ExpectedTime = request.ExpectedAt is { } expected ? Timestamp.FromDateTimeOffset(expected) : null,
            Conversation = citizen?.ResourceName ?? ConversationOf(request) ?? "",
            Version = request.Version,
            Anonymised = request.Anonymised,
            Contact = request.Contact ?? "",
            Overdue = request.IsOverdue(DateTimeOffset.UtcNow),
            DepartmentMailPending = request.DepartmentMailPending,
            DepartmentNotifiedTime = request.DepartmentNotifiedAt is { } notified ? Timestamp.FromDateTimeOffset(notified) : null,
            DepartmentMailError = request.DepartmentMailError ?? "",
        };
        if (request.Place is { } place)
        {
            proto.Place = new RequestPlace
            {
                Latitude = place.Latitude,
                Longitude = place.Longitude,
                Address = place.Address ?? "",
                Private = place.Private,
                Source = place.Source switch
                {
                    Domain.RequestPlaceSource.SharedLocation => "shared_location",
                    Domain.RequestPlaceSource.StreetList => "street_list",
                    _ => "open311",
                },
            };
        }
        proto.Photos.AddRange(request.Photos.Select(p => new RequestPhoto
        {
            MessageId = p.MessageId,
            MimeType = p.MimeType ?? "",
            Released = p.Released,
            DownloadPath = StaffMediaEndpoints.PathFor(p.BlobName),
        }));
        return proto;
    }

    private static RequestStatus ToProto(Domain.ServiceRequestStatus status) => status switch
    {
        Domain.ServiceRequestStatus.Received => RequestStatus.Received,
        Domain.ServiceRequestStatus.InProgress => RequestStatus.InProgress,
        Domain.ServiceRequestStatus.Done => RequestStatus.Done,
        Domain.ServiceRequestStatus.Rejected => RequestStatus.Rejected,
        _ => RequestStatus.Duplicate,
    };

    private static Domain.ServiceRequestStatus FromProto(RequestStatus status) => status switch
    {
        RequestStatus.Received => Domain.ServiceRequestStatus.Received,
        RequestStatus.InProgress => Domain.ServiceRequestStatus.InProgress,
        RequestStatus.Done => Domain.ServiceRequestStatus.Done,
        RequestStatus.Rejected => Domain.ServiceRequestStatus.Rejected,
        RequestStatus.Duplicate => Domain.ServiceRequestStatus.Duplicate,
        _ => throw new ArgumentException($"Unknown request status {status}."),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
