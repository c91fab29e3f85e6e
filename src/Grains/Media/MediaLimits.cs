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
