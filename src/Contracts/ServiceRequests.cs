using System.Collections.Immutable;

namespace GoldbachActors.Contracts;

/// <summary>
/// A request's life cycle, in the civic reporting tools' vocabulary (FixMyStreet, Klarschiff, Open311's
/// <c>open</c>/<c>closed</c> with the reason in <c>status_notes</c>).
/// </summary>
public enum ServiceRequestStatus
{
    Received = 0,
    InProgress = 1,
    Done = 2,
    Rejected = 3,
    Duplicate = 4,
}

/// <summary>Where the place of a request came from.</summary>
public enum RequestPlaceSource
{
    /// <summary>A location the citizen shared in WhatsApp.</summary>
    SharedLocation = 0,

    /// <summary>An address staff typed, matched against the town's street list.</summary>
    StreetList = 1,

    /// <summary>Given by another channel (Open311 <c>POST requests</c>).</summary>
    Open311 = 2,
}

/// <summary>
/// The place of a request. <paramref name="Private"/>: the place may be where somebody lives (a location shared from
/// a citizen's phone is, unless staff say otherwise); the public API then rounds it to about 100 m and leaves out the
/// address, as FixMyStreet does.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.RequestPlace")]
public sealed record RequestPlace(
    [property: Id(0)] double Latitude,
    [property: Id(1)] double Longitude,
    [property: Id(2)] string? Address,
    [property: Id(3)] RequestPlaceSource Source,
    [property: Id(4)] bool Private)
{
    /// <summary>Decimals a private place keeps in public: 3 is about 110 m north–south, 75 m east–west here.</summary>
    public const int PrivateDecimals = 3;

    /// <summary>The place as the public sees it: a private one rounded, without its address.</summary>
    public RequestPlace PublicView() => Private
        ? this with { Latitude = Math.Round(Latitude, PrivateDecimals), Longitude = Math.Round(Longitude, PrivateDecimals), Address = null }
        : this;
}

/// <summary>A photo of the request, from the conversation's media; shown publicly only once staff release it.</summary>
/// <param name="MessageId">The citizen's message (wamid) that carried it.</param>
/// <param name="BlobName">The stored file.</param>
/// <param name="MimeType">The file's type, as WhatsApp announced it.</param>
/// <param name="Released">Staff released it for the public list.</param>
[GenerateSerializer, Immutable, Alias("goldbach.RequestPhoto")]
public sealed record RequestPhoto(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string BlobName,
    [property: Id(2)] string? MimeType,
    [property: Id(3)] bool Released);

/// <summary>
/// A request (Anliegen): work for a department, made from a conversation by staff or posted through Open311. The
/// citizen's link and the staff-only description are personal data; <see cref="PublicDescription"/> is what the
/// public API shows (scrubbed of numbers, e-mail addresses and names when made, editable by staff).
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.ServiceRequest")]
public sealed record ServiceRequest
{
    /// <summary>The tenant's own number for it, e.g. <c>2026-0042</c> (Open311's <c>service_request_id</c>).</summary>
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required string ServiceCode { get; init; }
    [Id(3)] public required string Description { get; init; }
    [Id(4)] public required string PublicDescription { get; init; }
    [Id(5)] public RequestPlace? Place { get; init; }
    [Id(6)] public ImmutableArray<RequestPhoto> Photos { get; init; } = [];
    [Id(7)] public required string Department { get; init; }
    [Id(8)] public ServiceRequestStatus Status { get; init; }
    [Id(9)] public string? StatusNotes { get; init; }
    [Id(10)] public DateTimeOffset RequestedAt { get; init; }
    [Id(11)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the department is expected to be done: the service's turnaround in the town's working days.</summary>
    [Id(12)] public DateTimeOffset? ExpectedAt { get; init; }

    /// <summary>The citizen's conversation (grain key); null for another channel's request and after an erasure.</summary>
    [Id(13)] public string? CitizenKey { get; init; }

    /// <summary>Who made it: a staff id, or <c>open311:{client}</c>. Internal only.</summary>
    [Id(14)] public required string CreatedBy { get; init; }

    /// <summary>Bumped by every change (optimistic concurrency for staff front ends).</summary>
    [Id(15)] public long Version { get; init; }

    /// <summary>Set once the citizen's data was erased: the request stays as the town's anonymised work record.</summary>
    [Id(16)] public bool Anonymised { get; init; }

    /// <summary>How to reach the reporter of another channel's request (name, e-mail, phone): staff only, never public.</summary>
    [Id(17)] public string? Contact { get; init; }

    /// <summary>
    /// The department's mail is still to go out: set when the request is made for a department with an address while
    /// mail is on, cleared once the relay accepted it or refused it for good. Not a change staff make: the version
    /// stays.
    /// </summary>
    [Id(18)] public bool DepartmentMailPending { get; init; }

    /// <summary>When the relay accepted the department's mail.</summary>
    [Id(19)] public DateTimeOffset? DepartmentNotifiedAt { get; init; }

    /// <summary>Why the last attempt failed (for staff: no personal data), null once it went out.</summary>
    [Id(20)] public string? DepartmentMailError { get; init; }

    [Id(21)] public int DepartmentMailAttempts { get; init; }

    public bool IsClosed => Status is ServiceRequestStatus.Done or ServiceRequestStatus.Rejected or ServiceRequestStatus.Duplicate;

    /// <summary>Past its expected date and not closed.</summary>
    public bool IsOverdue(DateTimeOffset now) => !IsClosed && ExpectedAt is { } expected && expected < now;
}

/// <summary>A request's outcome for its citizen (the citizen grain words it in their language, once per status).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.RequestStatusNotice")]
public sealed record RequestStatusNotice(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string ServiceName,
    [property: Id(2)] ServiceRequestStatus Status,
    [property: Id(3)] string? Notes);

/// <summary>What a new request is made of (the grain gives it its number, department and expected date).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.NewServiceRequest")]
public sealed record NewServiceRequest(
    [property: Id(0)] string ServiceCode,
    [property: Id(1)] string Description,
    [property: Id(2)] RequestPlace? Place,
    [property: Id(3)] ImmutableArray<RequestPhoto> Photos,
    [property: Id(4)] string? CitizenKey,
    [property: Id(5)] string CreatedBy,
    [property: Id(6)] string? RequestId)
{
    /// <summary>Names that must not reach the public text (the citizen's profile name, for one).</summary>
    [Id(7)] public ImmutableArray<string> NamesToScrub { get; init; } = [];

    /// <summary>How to reach the reporter of another channel's request: staff only.</summary>
    [Id(8)] public string? Contact { get; init; }
}

/// <summary>A filter over a tenant's requests; every part optional.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ServiceRequestFilter")]
public sealed record ServiceRequestFilter
{
    [Id(0)] public ImmutableArray<string> ServiceCodes { get; init; } = [];
    [Id(1)] public ImmutableArray<ServiceRequestStatus> Statuses { get; init; } = [];
    [Id(2)] public string? Department { get; init; }
    [Id(3)] public DateTimeOffset? From { get; init; }
    [Id(4)] public DateTimeOffset? To { get; init; }

    /// <summary>Only requests past their expected date and not closed (at the grain's clock).</summary>
    [Id(5)] public bool Overdue { get; init; }

    [Id(6)] public string? CitizenKey { get; init; }

    /// <summary>At most this many, newest first (Open311's default is 1,000 and 90 days).</summary>
    [Id(7)] public int Limit { get; init; } = 1000;
}

/// <summary>
/// A tenant's requests, all in memory (a town makes a few hundred a year), written through to the request store.
/// Keyed by the tenant's <c>phone_number_id</c>.
/// </summary>
[Alias("goldbach.IServiceRequestsGrain")]
public interface IServiceRequestsGrain : IGrainWithStringKey
{
    /// <summary>Makes a request; idempotent by <see cref="NewServiceRequest.RequestId"/>.</summary>
    /// <exception cref="ArgumentException">An unknown service, or a description that is empty or too long.</exception>
    [Alias("Create")]
    Task<ServiceRequest> CreateAsync(NewServiceRequest request);

    [Alias("Get")]
    Task<ServiceRequest?> GetAsync(string id);

    [Alias("List")]
    Task<ImmutableArray<ServiceRequest>> ListAsync(ServiceRequestFilter filter);

    /// <summary>
    /// Moves the request on (any status to any other: a done request may be reopened); <paramref name="version"/> 0
    /// skips the concurrency check.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such request.</exception>
    /// <exception cref="InvalidOperationException">The request changed since <paramref name="version"/>.</exception>
    [Alias("SetStatus")]
    Task<ServiceRequest> SetStatusAsync(string id, ServiceRequestStatus status, string? notes, string staffId, long version);

    /// <summary>Staff correct the public text, release photos for the public list, or mark the place private.</summary>
    [Alias("Publish")]
    Task<ServiceRequest> PublishAsync(string id, string? publicDescription, ImmutableArray<string> releasedPhotos, bool? privatePlace, string staffId);

    /// <summary>
    /// The erasure: each of the citizen's requests loses its link, its staff-only description (replaced by the public
    /// text) and its photos; the anonymised request stays. Returns how many.
    /// </summary>
    [Alias("ForgetCitizen")]
    Task<int> ForgetCitizenAsync(string citizenKey);
}
