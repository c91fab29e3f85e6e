using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>The WhatsApp webhook's secrets and limits. Section <c>WhatsApp:Webhook</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "WhatsApp:Webhook";

    /// <summary>The Meta app secret that signs every POST (X-Hub-Signature-256). A secret: never in code.</summary>
    [Required, MinLength(8)]
    public string AppSecret { get; set; } = "";

    /// <summary>The verify token entered in Meta's App Dashboard for the GET handshake.</summary>
    [Required, MinLength(8)]
    public string VerifyToken { get; set; } = "";

    /// <summary>The largest body accepted: Meta sends at most 3 MB, so a little more.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 3_500_000;

    /// <summary>A journaled webhook not recorded after this long is replayed by the sweeper.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan JournalReplayAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the sweeper looks for such webhooks.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan JournalSweepInterval { get; set; } = TimeSpan.FromSeconds(30);
}
