using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// <c>GET /staff/v1/media/{tenant}/{citizen}/{wamid}</c>: a citizen's photo, voice note, video or document for staff
/// front ends (the staff API's <c>Media.download_path</c>), with the same bearer token and rules as the staff API,
/// recorded in the audit log. Streams from blob storage with ranges (voice notes and videos seek); documents come as
/// attachments, never rendered in the gateway's origin.
/// </summary>
public static partial class StaffMediaEndpoints
{
    public const string PathPrefix = "/staff/v1/media/";

    public static IEndpointRouteBuilder MapStaffMedia(this IEndpointRouteBuilder app)
    {
        app.MapGet(PathPrefix + "{tenant}/{identity}/{wamid}", DownloadAsync).RequireAuthorization();
        return app;
    }

    /// <summary>The download path of a stored file, from its blob name (<c>{tenant}/{identity}/{wamid}</c>).</summary>
    public static string PathFor(string blobName) => PathPrefix + blobName;

    private static async Task<IResult> DownloadAsync(
        string tenant, string identity, string wamid, HttpContext http, BlobServiceClient blobs, IClusterClient cluster,
        StaffAuditLog audit, ReadingSittings sittings, CancellationToken cancellationToken)
    {
        if (!TenantId.IsValid(tenant) || !CitizenKey.IsValidIdentity(identity) || !WhatsAppMessageId().IsMatch(wamid))
        {
            return Results.Problem("The path names no stored file.", statusCode: StatusCodes.Status400BadRequest);
        }
        StaffCaller caller;
        try
        {
            caller = StaffCaller.From(http.User);
        }
        catch (Grpc.Core.RpcException ex)
        {
            return Results.Problem(ex.Status.Detail, statusCode: StatusCodes.Status403Forbidden);
        }
        if (caller.Tenant != tenant)
        {
            return Results.Problem("Ihr Konto gehört nicht zu dieser Gemeinde: kein Zugriff auf ihren Posteingang.", statusCode: StatusCodes.Status403Forbidden);
        }
        var key = CitizenKey.Create(tenant, identity);
        if (caller.Department is { } department)
        {
            // Department staff see a photo only as part of one of their department's requests.
            var blobName = $"{tenant}/{identity}/{wamid}";
            var theirs = await cluster.GetGrain<IServiceRequestsGrain>(tenant).ListAsync(new ServiceRequestFilter { Department = department, Limit = 10_000 });
            if (!theirs.Any(r => r.Photos.Any(p => p.BlobName == blobName)))
            {
                return Results.Problem($"Das Foto gehört zu keinem Anliegen der Abteilung „{department}“.", statusCode: StatusCodes.Status403Forbidden);
            }
        }
        else if (!caller.Actor.WorksStaffSection
            && (await cluster.GetGrain<ICitizenGrain>(key.GrainKey).GetConversationAsync())?.Summary.Section == InboxSection.Staff)
        {
            return Results.Problem("The staff coordination section is for supervisors.", statusCode: StatusCodes.Status403Forbidden);
        }
        // A video plays in many range requests: one entry per file and sitting.
        var file = $"{key.ResourceName}/{wamid}";
        if (!sittings.Continues(caller.Tenant, caller.StaffId, "DownloadMedia", file))
        {
            await audit.RecordAsync(caller.Tenant, caller.StaffId, caller.Name, caller.Role, "DownloadMedia", key.ResourceName, cancellationToken);
            sittings.Began(caller.Tenant, caller.StaffId, "DownloadMedia", file);
        }
        var blob = blobs.GetBlobContainerClient("media").GetBlobClient($"{tenant}/{identity}/{wamid}");
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            var type = properties.ContentType is { Length: > 0 } stored ? stored : "application/octet-stream";
            // Town-hall PCs are shared: nothing stays in the browser's cache. What a citizen sent never runs in the
            // gateway's origin: no sniffing, a sandbox without scripts, and anything but pictures, sound and video
            // comes as a download.
            var headers = http.Response.Headers;
            headers.CacheControl = "no-store";
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'";
            var stream = await blob.OpenReadAsync(new Azure.Storage.Blobs.Models.BlobOpenReadOptions(allowModifications: false), cancellationToken);
            return Results.Stream(
                stream, type, fileDownloadName: Inline(type) ? null : $"{wamid}{Extension(type)}",
                lastModified: properties.LastModified, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue(properties.ETag.ToString("H")),
                enableRangeProcessing: true);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return Results.Problem("No such file.", statusCode: StatusCodes.Status404NotFound);
        }
    }

    // Shown in the page (an <img>, <audio> or <video>): types a browser only decodes, never runs.
    private static bool Inline(string type) =>
        type is "image/jpeg" or "image/png" or "image/webp" or "video/mp4" or "video/3gpp" || type.StartsWith("audio/", StringComparison.Ordinal);

    private static string Extension(string type) => type switch
    {
        "application/pdf" => ".pdf",
        "text/plain" => ".txt",
        "text/csv" => ".csv",
        "image/gif" => ".gif",
        "image/heic" => ".heic",
        _ when type.Contains("wordprocessingml", StringComparison.Ordinal) => ".docx",
        _ when type.Contains("spreadsheetml", StringComparison.Ordinal) => ".xlsx",
        _ when type.Contains("presentationml", StringComparison.Ordinal) => ".pptx",
        _ => ".bin",
    };

    [GeneratedRegex("^wamid\\.[A-Za-z0-9_=+-]{1,200}$")]
    private static partial Regex WhatsAppMessageId();
}
