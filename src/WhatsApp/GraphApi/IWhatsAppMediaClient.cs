namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>Downloads inbound media: <c>GET /{media-id}</c> for a short-lived URL, then the URL with the token.</summary>
public interface IWhatsAppMediaClient
{
    /// <summary>Looks up a media id (valid 7 days after the webhook).</summary>
    /// <exception cref="WhatsAppApiException">Unknown or expired id, or the API could not be reached.</exception>
    Task<MediaLocation> LocateAsync(string mediaId, string phoneNumberId, CancellationToken cancellationToken);

    /// <summary>Opens the file behind a URL from <see cref="LocateAsync"/> (valid 5 minutes). Dispose the response.</summary>
    /// <exception cref="WhatsAppApiException">The URL expired or the API could not be reached.</exception>
    Task<HttpResponseMessage> OpenAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>Where a media file can be downloaded, and what Meta says it is.</summary>
public sealed record MediaLocation(Uri Url, string? MimeType, string? Sha256, long? FileSize);
