using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>Media files citizens "sent", as the stand-in's Graph API serves them.</summary>
public sealed class MediaLibrary
{
    private readonly ConcurrentDictionary<string, (byte[] Content, string MimeType)> _files = new();
    private readonly ConcurrentDictionary<string, int> _failures = new();
    private readonly ConcurrentDictionary<string, int> _corruptions = new();
    private readonly ConcurrentDictionary<string, int> _downloads = new();

    /// <summary>The next <paramref name="times"/> downloads of the file answer 500, as a flaky CDN would.</summary>
    public void FailDownloads(string id, int times) => _failures[id] = times;

    /// <summary>
    /// The next <paramref name="times"/> downloads of the file arrive with one byte changed (a transfer gone wrong),
    /// while the media endpoint still reports the true SHA-256.
    /// </summary>
    public void CorruptDownloads(string id, int times) => _corruptions[id] = times;

    /// <summary>How often the file was downloaded (each try, failed or not).</summary>
    public int Downloads(string id) => _downloads.GetValueOrDefault(id);

    /// <summary>True when this download is to fail (and counts it).</summary>
    public bool TakeFailure(string id) => Take(_failures, id);

    /// <summary>True when this download is to arrive corrupted (and counts it).</summary>
    public bool TakeCorruption(string id) => Take(_corruptions, id);

    internal void CountDownload(string id) => _downloads.AddOrUpdate(id, 1, (_, n) => n + 1);

    private static bool Take(ConcurrentDictionary<string, int> faults, string id)
    {
        while (faults.TryGetValue(id, out var left) && left > 0)
        {
            if (faults.TryUpdate(id, left - 1, left))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Adds a file and returns its media id and SHA-256 (hex, as the media endpoint reports it).</summary>
    public (string Id, string Sha256) Add(byte[] content, string mimeType)
    {
        var id = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture)
            + RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _files[id] = (content, mimeType);
        return (id, Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    public bool TryGet(string id, out byte[] content, out string mimeType)
    {
        var found = _files.TryGetValue(id, out var file);
        (content, mimeType) = found ? file : ([], "");
        return found;
    }
}

/// <summary>
/// <c>GET /{version}/{media-id}</c> (a short-lived URL plus mime type, SHA-256 and size) and the download of that URL
/// with the bearer token, as Meta serves inbound media; <c>POST /simulator/media</c> adds a file for a test or demo
/// (<c>?failDownloads=N</c>: its next N downloads answer 500).
/// </summary>
public static class MediaEndpoints
{
    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder app)
    {
        app.MapGet("/{version:regex(^v[0-9]+\\.[0-9]+$)}/{mediaId:regex(^[0-9]+$)}", Locate);
        app.MapGet("/simulator/media-files/{mediaId}", Download);
        app.MapPost("/simulator/media", async (HttpRequest request, MediaLibrary library, int? failDownloads) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var (id, sha256) = library.Add(buffer.ToArray(), request.ContentType ?? "application/octet-stream");
            library.FailDownloads(id, failDownloads ?? 0);
            return Results.Json(new { id, sha256, file_size = buffer.Length });
        });
        return app;
    }

    private static IResult Locate(string mediaId, HttpRequest request, MediaLibrary library, IOptions<SimulatorOptions> options)
    {
        if (!Authorized(request, options.Value))
        {
            return GraphApiEndpoints.Error(StatusCodes.Status401Unauthorized, 190, "Invalid OAuth access token.", "The access token is missing or wrong.");
        }
        if (!library.TryGet(mediaId, out var content, out var mimeType))
        {
            return GraphApiEndpoints.Error(StatusCodes.Status404NotFound, 100, "Unsupported get request", "Unknown or expired media id.");
        }
        var url = new Uri(new Uri($"{request.Scheme}://{request.Host}"), $"simulator/media-files/{mediaId}");
        return Results.Json(new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["url"] = url.ToString(),
            ["mime_type"] = mimeType,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
            ["file_size"] = content.Length,
            ["id"] = mediaId,
        });
    }

    private static IResult Download(string mediaId, HttpRequest request, MediaLibrary library, IOptions<SimulatorOptions> options)
    {
        // Meta: "If you omit your token, the request will fail"; an unknown file is a 404.
        if (!Authorized(request, options.Value))
        {
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        library.CountDownload(mediaId);
        if (library.TakeFailure(mediaId))
        {
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }
        if (!library.TryGet(mediaId, out var content, out var mimeType))
        {
            return Results.NotFound();
        }
        if (library.TakeCorruption(mediaId) && content.Length > 0)
        {
            content = [.. content];
            content[^1] ^= 0xFF;
        }
        return Results.Bytes(content, mimeType);
    }

    private static bool Authorized(HttpRequest request, SimulatorOptions options) =>
        string.Equals(request.Headers.Authorization.ToString(), $"Bearer {options.AccessToken}", StringComparison.Ordinal);
}
