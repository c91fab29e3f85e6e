using System.Security.Claims;
using System.Text;
using GoldbachActors.Contracts;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoldbachActors.Cli;

/// <summary>
/// Mints staff tokens signed with a shared key, for local use and tests. Production tokens come from the identity
/// provider; minting is refused when the environment says Production.
/// </summary>
public sealed class DevelopmentTokenIssuer(string issuer, string audience, string signingKey, TimeProvider time)
{
    /// <summary>A token for <paramref name="staffId"/>; with <paramref name="department"/>, one of that department's staff.</summary>
    public string Mint(string staffId, string role, string tenant, TimeSpan lifetime, string? department = null)
    {
        if (!StaffRoles.All.Contains(role) && role != StaffRoles.Operator)
        {
            throw new ArgumentException($"Unknown role '{role}': one of {string.Join(", ", StaffRoles.All)} or {StaffRoles.Operator}.", nameof(role));
        }
        if (!TenantId.IsValid(tenant))
        {
            throw new ArgumentException("A tenant is a WhatsApp phone_number_id (digits).", nameof(tenant));
        }
        var now = time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim(StaffClaims.StaffId, staffId),
                new Claim(StaffClaims.Role, role),
                new Claim(StaffClaims.Tenant, tenant),
                .. department is { Length: > 0 } ? [new Claim(StaffClaims.Department, department)] : Array.Empty<Claim>(),
            ]),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>True when <c>DOTNET_ENVIRONMENT</c> / <c>ASPNETCORE_ENVIRONMENT</c> names Production.</summary>
    public static bool IsProduction() =>
        string.Equals(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"),
            "Production", StringComparison.OrdinalIgnoreCase);
}
