using System.Globalization;
using System.Text;
using GoldbachActors.Contracts;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// How staff tokens are validated (see <see cref="StaffAuthenticationOptions"/>), how a provider's claims become staff
/// claims, and what a refused or unvalidatable token answers: a gRPC status with a German reason, so that each front
/// end can say what went wrong ("Anmeldedienst nicht erreichbar" while the provider is down).
/// </summary>
public static class StaffAuthentication
{
    /// <summary>The algorithms a provider's tokens may use unless configured otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    public const string ProviderUnreachable =
        "Anmeldedienst nicht erreichbar: der Identitätsdienst der Gemeinde antwortet gerade nicht. Bitte in einigen Minuten erneut versuchen.";

    public static void Configure(JwtBearerOptions bearer, StaffAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(bearer);
        ArgumentNullException.ThrowIfNull(options);
        bearer.MapInboundClaims = false;
        var algorithms = new List<string>();
        var parameters = new TokenValidationParameters
        {
            ValidAudience = options.Audience,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            // The development tokens are "JWT"; a provider's access tokens "JWT" (Keycloak, Entra ID) or "at+jwt" (RFC 9068).
            ValidTypes = string.IsNullOrEmpty(options.Authority) ? ["JWT"] : ["JWT", "at+jwt"],
            NameClaimType = StaffClaims.StaffId,
            RoleClaimType = StaffClaims.Role,
            ClockSkew = options.ClockSkew,
        };
        if (!string.IsNullOrEmpty(options.Authority))
        {
            // Discovery and the JWKS through the handler's ConfigurationManager: fetched on first use (the gateway starts
            // while the provider is down), refreshed every 12 h, and at once (at most every KeyRefreshInterval) when a
            // token names a key it does not know: a rotation.
            bearer.Authority = options.Authority;
            bearer.RequireHttpsMetadata = options.RequireHttpsMetadata;
            bearer.RefreshInterval = options.KeyRefreshInterval;
            algorithms.AddRange(options.ValidAlgorithms.Count > 0 ? options.ValidAlgorithms : DefaultAlgorithms);
        }
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            parameters.ValidIssuers = [options.Issuer];
            parameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SigningKey));
            algorithms.Add(SecurityAlgorithms.HmacSha256);
        }
        // Only these: a forged header cannot pick another algorithm (nor "none").
        parameters.ValidAlgorithms = algorithms;
        bearer.TokenValidationParameters = parameters;
        bearer.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var token = (JsonWebToken)context.SecurityToken;
                // The development tokens carry the staff claims themselves; a provider's token only what the mapping
                // makes of it (a claim named like ours in it counts for nothing).
                if (token.Alg == SecurityAlgorithms.HmacSha256 && token.Typ != "JWT")
                {
                    context.Fail(new SecurityTokenInvalidTypeException("A development token is of type JWT."));
                }
                else if (token.Alg != SecurityAlgorithms.HmacSha256)
                {
                    var mapped = StaffTokenClaims.Map(context.Principal!.Claims, options.Claims);
                    context.Principal = new(new System.Security.Claims.ClaimsIdentity(
                        mapped, JwtBearerDefaults.AuthenticationScheme, StaffClaims.StaffId, StaffClaims.Role));
                }
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                if (context.AuthenticateFailure is not { } failure)
                {
                    return;
                }
                context.HandleResponse();
                var (status, reason) = Describe(failure);
                if (AlgorithmOf(context.Request.Headers.Authorization.ToString()) is { } algorithm && !algorithms.Contains(algorithm))
                {
                    // Said before anything else: the signature checks that follow would only say "invalid".
                    (status, reason) = (StatusCode.Unauthenticated, "Der Token ist mit einem nicht zugelassenen Verfahren signiert.");
                }
                else if (context.Options.ConfigurationManager is { } provider && !await ReachableAsync(provider, context.HttpContext.RequestAborted))
                {
                    // Without the provider's discovery document and keys no token of it can be checked.
                    (status, reason) = (StatusCode.Unavailable, ProviderUnreachable);
                }
                await WriteAsync(context.HttpContext, status, reason);
            },
        };
    }

    private static async Task<bool> ReachableAsync(
        Microsoft.IdentityModel.Protocols.IConfigurationManager<Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration> provider,
        CancellationToken cancellationToken)
    {
        try
        {
            await provider.GetConfigurationAsync(cancellationToken);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    // The header's "alg" of a bearer token, or null when there is none or it is no JWT.
    private static string? AlgorithmOf(string authorization)
    {
        const string Bearer = "Bearer ";
        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            return new JsonWebToken(authorization[Bearer.Length..].Trim()).Alg;
        }
        catch (ArgumentException)
        {
            // Not a JWT (SecurityTokenMalformedException is one).
            return null;
        }
    }

    // What a failed validation tells the caller. (An unreachable provider surfaces here only as a failed issuer or key
    // check: the challenge asks the provider's ConfigurationManager itself, see ReachableAsync.)
    private static (StatusCode Status, string Reason) Describe(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => (StatusCode.Unauthenticated, "Die Anmeldung ist abgelaufen: bitte neu anmelden."),
        SecurityTokenInvalidIssuerException => (StatusCode.Unauthenticated, "Der Token stammt nicht vom Anmeldedienst dieser Gemeinde."),
        SecurityTokenInvalidAlgorithmException => (StatusCode.Unauthenticated, "Der Token ist mit einem nicht zugelassenen Verfahren signiert."),
        SecurityTokenInvalidAudienceException => (StatusCode.Unauthenticated, "Der Token ist nicht für den Posteingang ausgestellt."),
        SecurityTokenInvalidTypeException => (StatusCode.Unauthenticated, "Das ist kein Zugriffstoken."),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException
            => (StatusCode.Unauthenticated, "Die Signatur des Tokens ist ungültig."),
        _ => (StatusCode.Unauthenticated, "Der Token ist ungültig: bitte neu anmelden."),
    };

    // A gRPC call gets a trailers-only response with the status and the reason (percent-encoded, as gRPC's
    // grpc-message is); any other request the HTTP status and the reason as text.
    private static async Task WriteAsync(HttpContext http, StatusCode status, string reason)
    {
        var contentType = http.Request.ContentType ?? "";
        if (contentType.StartsWith("application/grpc", StringComparison.Ordinal))
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = contentType.Split(';')[0];
            http.Response.Headers["grpc-status"] = ((int)status).ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["grpc-message"] = Uri.EscapeDataString(reason);
            return;
        }
        http.Response.StatusCode = status == StatusCode.Unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status401Unauthorized;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(reason);
    }
}
