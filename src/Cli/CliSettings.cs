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

    /// <summary>
    /// The token to call with: the configured one (<c>GOLDBACH_TOKEN</c>), else this gateway's login
    /// (<c>goldbach login</c>, refreshed when it runs out), else locally a freshly minted development token with the
    /// role the command needs.
    /// </summary>
    public async Task<string> ResolveTokenAsync(string staffId, string role = Contracts.StaffRoles.Agent, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(Token))
        {
            return Token;
        }
        if (await StaffLogin.AccessTokenAsync(Gateway, cancellationToken) is { } signedIn)
        {
            return signedIn;
        }
        if (DevelopmentTokenIssuer.IsProduction())
        {
            throw new InvalidOperationException("Not signed in: run 'goldbach login' (or set GOLDBACH_TOKEN).");
        }
        return new DevelopmentTokenIssuer(
                LocalDevelopment.StaffIssuer, LocalDevelopment.StaffAudience, LocalDevelopment.StaffSigningKey, TimeProvider.System)
            .Mint(staffId, role, Tenant, TimeSpan.FromHours(1));
    }
}
