using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Cli;

/// <summary>
/// Where the CLI connects and as whom: from flags, else the environment (<c>GOLDBACH_*</c>), else the local system
/// that the run command starts.
/// </summary>
public sealed record CliSettings(Uri Gateway, Uri Simulator, string Tenant, string? Token)
{
    public static CliSettings FromEnvironment() => new(
        new Uri(Environment.GetEnvironmentVariable("GOLDBACH_GATEWAY") ?? LocalDevelopment.GatewayGrpcUrl.ToString()),
        new Uri(Environment.GetEnvironmentVariable("GOLDBACH_SIMULATOR") ?? LocalDevelopment.SimulatorUrl.ToString()),
        Environment.GetEnvironmentVariable("GOLDBACH_TENANT") ?? LocalDevelopment.TenantId,
        Environment.GetEnvironmentVariable("GOLDBACH_TOKEN"));

    /// <summary>The token to call with: the configured one, or locally a freshly minted token with the role the command needs.</summary>
    public string ResolveToken(string staffId, string role = Contracts.StaffRoles.Agent)
    {
        if (!string.IsNullOrEmpty(Token))
        {
            return Token;
        }
        if (DevelopmentTokenIssuer.IsProduction())
        {
            throw new InvalidOperationException("Set GOLDBACH_TOKEN: development tokens are refused in Production.");
        }
        return new DevelopmentTokenIssuer(
                LocalDevelopment.StaffIssuer, LocalDevelopment.StaffAudience, LocalDevelopment.StaffSigningKey, TimeProvider.System)
            .Mint(staffId, role, Tenant, TimeSpan.FromHours(1));
    }
}
