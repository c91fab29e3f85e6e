using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Grains.Duty;

/// <summary>
/// How the silo sends Web Push (RFC 8030, 8291, 8292): the VAPID key pair (a secret: from the environment or a
/// secret store) and the contact push services see. Section <c>Goldbach:Push</c>. Without keys, push is off and the
/// web inbox says so; the WhatsApp notice still reaches the duty number.
/// </summary>
public sealed class WebPushOptions
{
    public const string SectionName = "Goldbach:Push";

    /// <summary>The VAPID public key: base64url, the 65-octet uncompressed P-256 point. Browsers subscribe with it.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{87}$", ErrorMessage = "Goldbach:Push:PublicKey is a base64url P-256 public key (87 characters).")]
    public string? PublicKey { get; init; }

    /// <summary>The VAPID private key: base64url, 32 octets (a secret).</summary>
    [RegularExpression("^[A-Za-z0-9_-]{43}$", ErrorMessage = "Goldbach:Push:PrivateKey is a base64url P-256 private key (43 characters).")]
    public string? PrivateKey { get; init; }

    /// <summary>The contact push services may use about our pushes: a <c>mailto:</c> or <c>https:</c> URI.</summary>
    [RegularExpression("^(mailto:|https:).+", ErrorMessage = "Goldbach:Push:Subject is a mailto: or https: URI.")]
    public string Subject { get; init; } = "mailto:it@goldbach.example";

    /// <summary>How long a push service keeps a notification for a phone that is offline.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long one attempt may take; three attempts with backoff, then the WhatsApp notice.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Accepts subscriptions whose endpoint is plain http on a loopback address (the local push-service stand-in).
    /// Browsers' push services are always https; keep this off in production.
    /// </summary>
    public bool AllowLoopbackHttp { get; init; }

    /// <summary>Whether push is configured at all.</summary>
    public bool Enabled => !string.IsNullOrEmpty(PublicKey) && !string.IsNullOrEmpty(PrivateKey);
}
