using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Gateway.Open311;

/// <summary>
/// The public Open311 GeoReport v2 API at <c>/open311/v2/</c> (see docs/requests.md): discovery, services, service
/// definitions, requests with the standard filters, one request, and <c>POST requests</c> with an API key, in XML
/// and JSON. What it shows carries no personal data: no citizen, the public text, a private place rounded, photos
/// only once staff released them.
/// </summary>
public static class Open311Endpoints
{
    public const string Prefix = "/open311/v2";

    // The standard's default window and volume for a list.
    private static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(90);
    private const int MaxRequests = 1000;
    private static readonly string[] Formats = ["text/xml", "application/json"];
    private static readonly TimeZoneInfo Zone = TownTime.Zone;

    public static IEndpointRouteBuilder MapOpen311(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).AllowAnonymous();
        group.MapGet("/discovery.{format}", Discovery);
        group.MapGet("/services.{format}", Services);
        group.MapGet("/services/{code}.{format}", ServiceDefinition);
        group.MapGet("/requests.{format}", ListRequestsAsync);
        group.MapGet("/requests/{id}.{format}", GetRequestAsync);
        group.MapPost("/requests.{format}", CreateRequestAsync).DisableAntiforgery();
        group.MapGet("/media/{id}/{photo:int}", PhotoAsync);
        return app;
    }

    private static IResult Discovery(string format, HttpContext http, TenantSettingsCache tenants)
    {
        if (Format(format) is not { } f)
        {
            return UnknownFormat();
        }
        var changeset = tenants.Tenants.Sum(t => tenants.VersionOf(t)).ToString(CultureInfo.InvariantCulture);
        return Open311Document.Render(f, "discovery", "", [new Open311Record
        {
            { "changeset", changeset },
            { "contact", "Markt Goldbach, Rathaus (über den WhatsApp-Service oder das Bürgerbüro)" },
            { "key_service", "API-Schlüssel für POST requests vergibt die Verwaltung (Einstellungen: Open311:ApiKeyHashes)." },
            { "endpoints", new[]
                {
                    new Open311Record
                    {
                        { "specification", "http://wiki.open311.org/GeoReport_v2" },
                        { "url", $"{http.Request.Scheme}://{http.Request.Host}{Prefix}" },
                        { "changeset", changeset },
                        { "type", "production" },
                        { "formats", Formats },
                    },
                }
            },
        }], single: true);
    }

    private static IResult Services(string format, string? jurisdiction_id, TenantSettingsCache tenants)
    {
        if (Format(format) is not { } f)
        {
            return UnknownFormat();
        }
        if (Tenant(tenants, jurisdiction_id) is not (var tenant, { } settings))
        {
            return JurisdictionError(f, jurisdiction_id);
        }
        return Open311Document.Render(f, "services", "service", [.. ServiceCatalog.Services(settings).Select(s => new Open311Record
        {
            { "service_code", s.Key },
            { "service_name", s.Value.Name },
            { "description", s.Value.Description ?? s.Value.Name },
            { "metadata", false },
            { "type", "realtime" },
            { "keywords", string.Join(", ", s.Value.Keywords) },
            { "group", ServiceCatalog.Departments(settings).GetValueOrDefault(s.Value.Department)?.Name ?? s.Value.Department },
        })]);
    }

    private static IResult ServiceDefinition(string code, string format, string? jurisdiction_id, TenantSettingsCache tenants)
    {
        if (Format(format) is not { } f)
        {
            return UnknownFormat();
        }
        if (Tenant(tenants, jurisdiction_id) is not (_, { } settings))
        {
            return JurisdictionError(f, jurisdiction_id);
        }
        if (!ServiceCatalog.Services(settings).ContainsKey(code))
        {
            return Open311Document.Error(f, StatusCodes.Status404NotFound, $"service_code {code} not found");
        }
        // No extra attributes: a description and a place are all a request needs.
        return Open311Document.Render(f, "service_definition", "", [new Open311Record
        {
            { "service_code", code },
            { "attributes", Array.Empty<Open311Record>() },
        }], single: true);
    }

    private static async Task<IResult> ListRequestsAsync(
        string format, HttpContext http, TenantSettingsCache tenants, IClusterClient cluster,
        string? jurisdiction_id, string? service_request_id, string? service_code, string? status, string? start_date, string? end_date)
    {
        if (Format(format) is not { } f)
        {
            return UnknownFormat();
        }
        if (Tenant(tenants, jurisdiction_id) is not (var tenant, { } settings))
        {
            return JurisdictionError(f, jurisdiction_id);
        }
        var grain = cluster.GetGrain<IServiceRequestsGrain>(tenant);
        ImmutableArray<ServiceRequest> found;
        if (!string.IsNullOrWhiteSpace(service_request_id))
        {
            // The ids override every other argument.
            var ids = Split(service_request_id);
            found = [.. (await Task.WhenAll(ids.Select(grain.GetAsync))).OfType<ServiceRequest>()];
        }
        else
        {
            if (!TryDate(start_date, out var from) || !TryDate(end_date, out var to))
            {
                return Open311Document.Error(f, StatusCodes.Status400BadRequest, "start_date and end_date are W3C dates with a time zone, e.g. 2026-12-01T00:00:00+01:00");
            }
            var statuses = Split(status);
            if (statuses.Except(["open", "closed"], StringComparer.Ordinal).FirstOrDefault() is { } unknown)
            {
                return Open311Document.Error(f, StatusCodes.Status400BadRequest, $"status is open and/or closed, not {unknown}");
            }
            var end = to ?? DateTimeOffset.UtcNow;
            var start = from ?? (to ?? DateTimeOffset.UtcNow) - DefaultSpan;
            if (end - start > DefaultSpan)
            {
                return Open311Document.Error(f, StatusCodes.Status400BadRequest, "start_date to end_date may span at most 90 days");
            }
            found = await grain.ListAsync(new ServiceRequestFilter
            {
                ServiceCodes = Split(service_code),
                Statuses = [.. statuses.SelectMany(s => s == "open"
                    ? new[] { ServiceRequestStatus.Received, ServiceRequestStatus.InProgress }
                    : new[] { ServiceRequestStatus.Done, ServiceRequestStatus.Rejected, ServiceRequestStatus.Duplicate })],
                From = start,
                To = end,
                Limit = MaxRequests,
            });
        }
        return Open311Document.Render(f, "service_requests", "request", [.. found.Select(r => PublicRecord(r, settings, http))]);
    }

    private static async Task<IResult> GetRequestAsync(string id, string format, HttpContext http, TenantSettingsCache tenants, IClusterClient cluster, string? jurisdiction_id)
    {
        if (Format(format) is not { } f)
        {
            return UnknownFormat();
        }
        if (Tenant(tenants, jurisdiction_id) is not (var tenant, { } settings))
        {
            return JurisdictionError(f, jurisdiction_id);
        }
        return await cluster.GetGrain<IServiceRequestsGrain>(tenant).GetAsync(id) is { } request
            ? Open311Document.Render(f, "service_requests", "request", [PublicRecord(request, settings, http)])
            : Open311Document.Error(f, StatusCodes.Status404NotFound, $"service_request_id {id} not found");
    }

    private static async Task<IResult> CreateRequestAsync(string format, HttpContext http, TenantSettingsCache tenants, IClusterClient cluster)
    {
        if (Format(format) is not { } f)
        {
            return UnknownFormat();
        }
        if (!http.Request.HasFormContentType)
        {
            return Open311Document.Error(f, StatusCodes.Status400BadRequest, "POST requests takes application/x-www-form-urlencoded; charset=utf-8");
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? Field(string name) => form.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;
        if (Tenant(tenants, Field("jurisdiction_id")) is not (var tenant, { } settings))
        {
            return JurisdictionError(f, Field("jurisdiction_id"));
        }
        if (Field("api_key") is not { } key || !KeyIsValid(settings, key))
        {
            return Open311Document.Error(f, StatusCodes.Status403Forbidden, "Invalid api_key received -- can't proceed with create_request.");
        }
        if (Field("service_code") is not { } code || !ServiceCatalog.Services(settings).ContainsKey(code))
        {
            return Open311Document.Error(f, StatusCodes.Status404NotFound, $"service_code {Field("service_code")} not found");
        }
        var address = Field("address_string");
        RequestPlace? place = null;
        if (Field("lat") is { } lat || Field("long") is not null)
        {
            if (!double.TryParse(Field("lat"), NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
                || !double.TryParse(Field("long"), NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude))
            {
                return Open311Document.Error(f, StatusCodes.Status400BadRequest, "lat and long are WGS84 numbers, both of them");
            }
            // A web form's reporter marks where the damage is, not where they live: public, as FixMyStreet shows it.
            place = new RequestPlace(latitude, longitude, address, RequestPlaceSource.Open311, Private: false);
        }
        else if (address is null)
        {
            return Open311Document.Error(f, StatusCodes.Status400BadRequest, "a location is needed: lat and long, or address_string");
        }
        var names = new[] { Field("first_name"), Field("last_name") }.OfType<string>().ToImmutableArray();
        var contact = string.Join(", ", new[] { string.Join(' ', names), Field("email") ?? "", Field("phone") ?? "" }.Where(c => c.Length > 0));
        // Without coordinates the address is all there is of the place (no outside geocoder): it leads the text.
        var description = place is null ? $"Ort: {address}\n{Field("description")}".Trim() : Field("description") ?? "";
        try
        {
            var created = await cluster.GetGrain<IServiceRequestsGrain>(tenant).CreateAsync(new NewServiceRequest(
                code, description, place, [], null, "open311:" + KeyName(key), null)
            {
                NamesToScrub = names,
                Contact = contact.Length > 0 ? contact : null,
            });
            return Open311Document.Render(f, "service_requests", "request", [new Open311Record
            {
                { "service_request_id", created.Id },
                { "service_notice", created.ExpectedAt is { } expected ? $"Voraussichtlich erledigt bis {Open311Document.Time(expected, Zone)}" : null },
                { "account_id", null },
            }], StatusCodes.Status201Created);
        }
        catch (ArgumentException ex)
        {
            return Open311Document.Error(f, StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    // A released photo of a request (the others are not public).
    private static async Task<IResult> PhotoAsync(string id, int photo, string? jurisdiction_id, TenantSettingsCache tenants, IClusterClient cluster, BlobServiceClient blobs, HttpContext http)
    {
        if (Tenant(tenants, jurisdiction_id) is not (var tenant, not null)
            || await cluster.GetGrain<IServiceRequestsGrain>(tenant).GetAsync(id) is not { } request
            || ReleasedPhotos(request).ElementAtOrDefault(photo) is not { } released)
        {
            return Results.NotFound();
        }
        try
        {
            var blob = blobs.GetBlobContainerClient("media").GetBlobClient(released.BlobName);
            var stream = await blob.OpenReadAsync(new Azure.Storage.Blobs.Models.BlobOpenReadOptions(allowModifications: false), http.RequestAborted);
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
            return Results.Stream(stream, released.MimeType is { } type && type.StartsWith("image/", StringComparison.Ordinal) ? type : "application/octet-stream");
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return Results.NotFound();
        }
    }

    // The public view of a request: no citizen, no staff-only text, a private place rounded and without address.
    private static Open311Record PublicRecord(ServiceRequest request, TenantOptions settings, HttpContext http)
    {
        var place = request.Place?.PublicView();
        var service = ServiceCatalog.Services(settings).GetValueOrDefault(request.ServiceCode);
        var photos = ReleasedPhotos(request);
        return new Open311Record
        {
            { "service_request_id", request.Id },
            { "status", request.IsClosed ? "closed" : "open" },
            { "status_notes", StatusNotes(request) },
            { "service_name", service?.Name ?? request.ServiceCode },
            { "service_code", request.ServiceCode },
            { "description", request.PublicDescription },
            { "agency_responsible", ServiceCatalog.Departments(settings).GetValueOrDefault(request.Department)?.Name ?? request.Department },
            { "service_notice", null },
            { "requested_datetime", Open311Document.Time(request.RequestedAt, Zone) },
            { "updated_datetime", Open311Document.Time(request.UpdatedAt, Zone) },
            { "expected_datetime", request.ExpectedAt is { } expected ? Open311Document.Time(expected, Zone) : null },
            { "address", place?.Address },
            { "address_id", null },
            { "zipcode", null },
            { "lat", place?.Latitude },
            { "long", place?.Longitude },
            { "media_url", photos.Count > 0 ? $"{http.Request.Scheme}://{http.Request.Host}{Prefix}/media/{request.Id}/0" : null },
        };
    }

    // Open311 has open and closed; the reason why it is closed goes in the notes, as the civic tools do.
    private static string? StatusNotes(ServiceRequest request) => request.Status switch
    {
        ServiceRequestStatus.Rejected => Join("Abgelehnt", request.StatusNotes),
        ServiceRequestStatus.Duplicate => Join("Bereits gemeldet", request.StatusNotes),
        ServiceRequestStatus.Done => Join("Erledigt", request.StatusNotes),
        ServiceRequestStatus.InProgress => Join("In Bearbeitung", request.StatusNotes),
        _ => request.StatusNotes,
    };

    private static string Join(string status, string? notes) => notes is null ? status : $"{status}: {notes}";

    private static List<RequestPhoto> ReleasedPhotos(ServiceRequest request) => [.. request.Photos.Where(p => p.Released)];

    // The tenant a jurisdiction_id names: its configured jurisdiction or its phone_number_id; none given: the only one.
    private static (string Tenant, TenantOptions? Settings) Tenant(TenantSettingsCache tenants, string? jurisdiction)
    {
        var all = tenants.Tenants;
        if (string.IsNullOrWhiteSpace(jurisdiction))
        {
            return all.Count == 1 ? (all.First(), tenants.Find(all.First())) : ("", null);
        }
        foreach (var tenant in all)
        {
            var settings = tenants.Find(tenant);
            if (tenant == jurisdiction || string.Equals(settings?.Open311.Jurisdiction, jurisdiction, StringComparison.OrdinalIgnoreCase))
            {
                return (tenant, settings);
            }
        }
        return ("", null);
    }

    private static IResult JurisdictionError(string format, string? jurisdiction) =>
        string.IsNullOrWhiteSpace(jurisdiction)
            ? Open311Document.Error(format, StatusCodes.Status400BadRequest, "jurisdiction_id is required: this endpoint serves several towns")
            : Open311Document.Error(format, StatusCodes.Status404NotFound, $"jurisdiction_id {jurisdiction} not found");

    // Keys are kept as SHA-256 hashes; compared in constant time.
    private static bool KeyIsValid(TenantOptions settings, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return settings.Open311.ApiKeyHashes.Any(stored =>
            stored.Length == 64 && stored.All(Uri.IsHexDigit) && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(stored), hash));
    }

    // Names the client in the request's "created by" without the key itself: the first 8 hex digits of its hash.
    private static string KeyName(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];

    private static string? Format(string format) => format is "json" or "xml" ? format : null;

    private static IResult UnknownFormat() =>
        Open311Document.Error("json", StatusCodes.Status404NotFound, "The format is .json or .xml");

    private static ImmutableArray<string> Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static bool TryDate(string? value, out DateTimeOffset? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            date = parsed;
            return true;
        }
        return false;
    }
}
