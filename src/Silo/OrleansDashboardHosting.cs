using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace GoldbachActors.Silo;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard</c> on the silo's HTTP port, for operators only: it shows grain state, that is
/// citizens' data. Off unless <c>Dashboard:Password</c> is set; then every request needs HTTP Basic authentication
/// with <c>Dashboard:Username</c> (default <c>operator</c>) and that password (a secret; over TLS in production).
/// </summary>
public static partial class OrleansDashboardHosting
{
    public const string Path = "/dashboard";
    private const string Scheme = "OperatorBasic";

    public static bool IsEnabled(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration?["Dashboard:Password"]);

    public static ISiloBuilder AddGoldbachDashboard(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (IsEnabled(configuration))
        {
            silo.AddDashboard();
            silo.Services.AddAuthentication().AddScheme<OperatorOptions, OperatorBasicHandler>(Scheme, o =>
            {
                o.Username = configuration["Dashboard:Username"] ?? "operator";
                o.Password = configuration["Dashboard:Password"]!;
            });
            silo.Services.AddAuthorizationBuilder().AddPolicy(Scheme, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        }
        return silo;
    }

    public static WebApplication MapGoldbachDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (IsEnabled(app.Configuration))
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapOrleansDashboard(Path).RequireAuthorization(Scheme);
        }
        return app;
    }

    internal sealed class OperatorOptions : AuthenticationSchemeOptions
    {
        public string Username { get; set; } = "";

        public string Password { get; set; } = "";
    }

    internal sealed class OperatorBasicHandler(IOptionsMonitor<OperatorOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<OperatorOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
                || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            string credentials;
            try
            {
                credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            }
            catch (FormatException)
            {
                return Task.FromResult(AuthenticateResult.Fail("Malformed Basic credentials."));
            }
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            var valid = colon > 0
                && Same(credentials[..colon], Options.Username)
                & Same(credentials[(colon + 1)..], Options.Password);
            if (!valid)
            {
                return Task.FromResult(AuthenticateResult.Fail("Wrong user name or password."));
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, Options.Username)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Basic realm=\"Orleans Dashboard\", charset=\"UTF-8\"";
            return Task.CompletedTask;
        }

        // Constant time, whatever the lengths.
        private static bool Same(string given, string expected) =>
            CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
