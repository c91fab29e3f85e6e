namespace GoldbachActors.Grains.Media;

/// <summary>What the town accepts of each media kind (Meta's limits for the Cloud API).</summary>
public static class MediaLimits
{
    /// <summary>The largest file of a kind, in bytes.</summary>
    public static long MaxBytes(string kind) => kind switch
    {
        "image" => 5 * 1024 * 1024,
        "audio" or "video" => 16 * 1024 * 1024,
        "document" => 100 * 1024 * 1024,
        "sticker" => 500 * 1024,
        _ => 0,
    };

    // What a document may be stored as: PDF, Office and OpenDocument files, plain text and CSV, pictures. Anything
    // else a citizen sends (HTML, SVG, scripts, archives) is kept as opaque bytes, so that no browser runs it.
    private static readonly HashSet<string> DocumentTypes = new(StringComparer.Ordinal)
    {
        "application/pdf",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "text/plain", "text/csv",
        "image/jpeg", "image/png", "image/webp", "image/gif", "image/heic",
    };

    /// <summary>The type a file is stored and served as: a document's own type if it is on the list, else opaque bytes.</summary>
    public static string StoredType(string kind, string mimeType)
    {
        ArgumentNullException.ThrowIfNull(mimeType);
        var type = mimeType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return kind != "document" || DocumentTypes.Contains(type) ? type : "application/octet-stream";
    }

    /// <summary>Whether a MIME type fits the kind (documents may be any file type Meta lets through).</summary>
    public static bool Accepts(string kind, string? mimeType)
    {
        var type = mimeType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return kind switch
        {
            "image" => type is "image/jpeg" or "image/png",
            "sticker" => type is "image/webp",
            "audio" => type is not null && type.StartsWith("audio/", StringComparison.Ordinal),
            "video" => type is "video/mp4" or "video/3gpp",
            "document" => !string.IsNullOrEmpty(type),
            _ => false,
        };
    }
}
