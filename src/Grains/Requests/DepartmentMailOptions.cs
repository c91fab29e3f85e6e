using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Grains.Requests;

/// <summary>How a new request reaches its department by e-mail.</summary>
public enum MailSecurity
{
    /// <summary>TLS on connect for port 465, STARTTLS when the server offers it otherwise (MailKit's Auto).</summary>
    Auto = 0,

    /// <summary>Plain SMTP: only for a relay on this machine (the local mail server of <c>./run.sh</c> and the tests).</summary>
    None = 1,

    /// <summary>STARTTLS, and the connection fails without it (port 587).</summary>
    StartTls = 2,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect = 3,
}

/// <summary>
/// The silo's SMTP relay for the departments' mail (section <c>Goldbach:Mail</c>). Without a host, no mail is sent:
/// departments see their requests in the web inbox. The password is a secret (environment or secret store).
/// </summary>
public sealed class DepartmentMailOptions
{
    public const string SectionName = "Goldbach:Mail";

    /// <summary>The town's relay (e.g. <c>mail.goldbach.de</c>); empty: mail is off.</summary>
    public string? Host { get; init; }

    [Range(1, 65535, ErrorMessage = "Goldbach:Mail:Port is a TCP port (1-65535).")]
    public int Port { get; init; } = 587;

    public MailSecurity Security { get; init; } = MailSecurity.Auto;

    /// <summary>The relay's account; empty: no AUTH.</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>The sender, an address the relay accepts for the town (<c>Name &lt;address&gt;</c> or an address).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Goldbach:Mail:From is needed when mail is on.")]
    public string From { get; init; } = "Markt Goldbach <anliegen@goldbach.example>";

    /// <summary>The web inbox's address, for the link in the mail (it opens the request after sign-in).</summary>
    public Uri? InboxUrl { get; init; }

    /// <summary>How long one attempt (connect, send, quit) may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The first wait after a failed attempt; it doubles up to an hour. A reminder also retries after a restart.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}
