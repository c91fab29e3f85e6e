using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// How the gateway checks staff tokens (JWT bearer). Section <c>Staff:Authentication</c>. In production the
/// identity provider issues the tokens; locally the CLI mints development tokens with the same key.
/// </summary>
public sealed class StaffAuthenticationOptions
{
    public const string SectionName = "Staff:Authentication";

    [Required]
    public string Issuer { get; set; } = "";

    [Required]
    public string Audience { get; set; } = "";

    /// <summary>The HMAC-SHA256 signing key, at least 32 characters. A secret: never in code.</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";
}
