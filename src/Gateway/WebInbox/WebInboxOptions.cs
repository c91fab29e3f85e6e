namespace GoldbachActors.Gateway.WebInbox;

/// <summary>Where the gateway finds the built web inbox (the output of <c>npm run web:build</c>).</summary>
public sealed class WebInboxOptions
{
    public const string SectionName = "WebInbox";

    /// <summary>
    /// The directory holding <c>index.html</c> and <c>assets/</c>; relative paths are taken from the gateway's own
    /// directory. Default: <c>wwwroot</c> beside the gateway (where a container image puts it).
    /// </summary>
    public string Path { get; set; } = "wwwroot";
}
