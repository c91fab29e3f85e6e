using System.Text.Json;
using System.Text.Json.Serialization;
using Duende.IdentityModel.Client;
using GoldbachActors.StaffApi.V1;
using Grpc.Net.Client;

namespace GoldbachActors.Cli;

/// <summary>
/// <c>goldbach login</c>: the device authorization grant (RFC 8628) at the town's OpenID provider, which the gateway
/// names (GetSignInSettings). The staff member opens the address on any device with a browser, signs in there and
/// confirms the code; the CLI keeps the tokens in <see cref="TokenCache"/> and refreshes them when needed.
/// </summary>
public static class StaffLogin
{
    // A public client (no secret): its id goes in the form, not in a Basic authorization header.
    private const ClientCredentialStyle PublicClient = ClientCredentialStyle.PostBody;

    /// <summary>Refresh when less than this is left of the access token.</summary>
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromSeconds(60);

    public static async Task<CachedLogin> LoginAsync(Uri gateway, TextWriter prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(prompt);
        SignInSettings settings;
        using (var channel = GrpcChannel.ForAddress(gateway))
        {
            settings = await new StaffService.StaffServiceClient(channel).GetSignInSettingsAsync(new GetSignInSettingsRequest(), cancellationToken: cancellationToken);
        }
        if (string.IsNullOrEmpty(settings.Authority))
        {
            throw new LoginException("Dieses Gateway ist mit keinem Anmeldedienst verbunden (nur Entwicklungs-Token: goldbach token).");
        }
        using var http = new HttpClient();
        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest { Address = settings.Authority }, cancellationToken);
        if (discovery.IsError)
        {
            throw new LoginException($"Anmeldedienst nicht erreichbar ({settings.Authority}): {discovery.Error}");
        }
        var request = new DeviceAuthorizationRequest
        {
            Address = discovery.DeviceAuthorizationEndpoint,
            ClientId = settings.CliClientId,
            Scope = settings.Scope,
            ClientCredentialStyle = PublicClient,
        };
        if (!string.IsNullOrEmpty(settings.Resource))
        {
            request.Parameters.Add("resource", settings.Resource);
        }
        var device = await http.RequestDeviceAuthorizationAsync(request, cancellationToken);
        if (device.IsError)
        {
            throw new LoginException($"Der Anmeldedienst bietet keine Geräte-Anmeldung an: {device.Error} {device.ErrorDescription}".TrimEnd());
        }
        await prompt.WriteLineAsync($"Öffnen Sie {device.VerificationUriComplete ?? device.VerificationUri} im Browser,");
        await prompt.WriteLineAsync($"melden Sie sich an und bestätigen Sie den Code {device.UserCode}.");
        await prompt.WriteLineAsync($"Warte auf die Bestätigung (höchstens {TimeSpan.FromSeconds(device.ExpiresIn ?? 600).TotalMinutes:0} Minuten) …");

        var interval = TimeSpan.FromSeconds(Math.Max(device.Interval, 1));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(device.ExpiresIn ?? 600);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(interval, cancellationToken);
            var token = await http.RequestDeviceTokenAsync(new DeviceTokenRequest
            {
                Address = discovery.TokenEndpoint,
                ClientId = settings.CliClientId,
                DeviceCode = device.DeviceCode!,
                ClientCredentialStyle = PublicClient,
            }, cancellationToken);
            switch (token.Error)
            {
                case null when !token.IsError:
                    var login = CachedLogin.From(token, discovery.TokenEndpoint!, discovery.RevocationEndpoint, settings.CliClientId);
                    TokenCache.Save(gateway, login);
                    return login;
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval += TimeSpan.FromSeconds(5);
                    continue;
                case "access_denied":
                    throw new LoginException("Die Anmeldung wurde am Anmeldedienst abgelehnt.");
                case "expired_token":
                    throw new LoginException("Der Code ist abgelaufen: bitte goldbach login erneut aufrufen.");
                default:
                    throw new LoginException($"Anmeldung fehlgeschlagen: {token.Error} {token.ErrorDescription}".TrimEnd());
            }
        }
        throw new LoginException("Der Code ist abgelaufen: bitte goldbach login erneut aufrufen.");
    }

    /// <summary>The cached access token for <paramref name="gateway"/>, refreshed first if it runs out; null: none.</summary>
    public static async Task<string?> AccessTokenAsync(Uri gateway, CancellationToken cancellationToken)
    {
        if (TokenCache.Load(gateway) is not { } login)
        {
            return null;
        }
        if (login.ExpiresAt - DateTimeOffset.UtcNow > RefreshBefore)
        {
            return login.AccessToken;
        }
        if (string.IsNullOrEmpty(login.RefreshToken))
        {
            throw new LoginException("Die Anmeldung ist abgelaufen: bitte goldbach login.");
        }
        using var http = new HttpClient();
        var refreshed = await http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = login.TokenEndpoint,
            ClientId = login.ClientId,
            RefreshToken = login.RefreshToken,
            ClientCredentialStyle = PublicClient,
        }, cancellationToken);
        if (refreshed.IsError)
        {
            TokenCache.Remove(gateway);
            throw new LoginException($"Die Anmeldung ließ sich nicht erneuern ({refreshed.Error}): bitte goldbach login.");
        }
        var renewed = CachedLogin.From(refreshed, login.TokenEndpoint, login.RevocationEndpoint, login.ClientId) with
        {
            // A provider may keep the refresh token as it is.
            RefreshToken = refreshed.RefreshToken ?? login.RefreshToken,
        };
        TokenCache.Save(gateway, renewed);
        return renewed.AccessToken;
    }

    /// <summary>Forgets the login for <paramref name="gateway"/> and revokes its refresh token at the provider.</summary>
    public static async Task<bool> LogoutAsync(Uri gateway, CancellationToken cancellationToken)
    {
        if (TokenCache.Load(gateway) is not { } login)
        {
            return false;
        }
        TokenCache.Remove(gateway);
        if (!string.IsNullOrEmpty(login.RevocationEndpoint) && !string.IsNullOrEmpty(login.RefreshToken))
        {
            using var http = new HttpClient();
            // Best effort: the cache is gone either way.
            await http.RevokeTokenAsync(new TokenRevocationRequest
            {
                Address = login.RevocationEndpoint,
                ClientId = login.ClientId,
                Token = login.RefreshToken,
                ClientCredentialStyle = PublicClient,
                TokenTypeHint = "refresh_token",
            }, cancellationToken);
        }
        return true;
    }
}

/// <summary>A refused or failed login, with a German reason for the staff member.</summary>
public sealed class LoginException(string message) : Exception(message);

/// <summary>One gateway's login: the provider's tokens and where to renew and revoke them.</summary>
public sealed record CachedLogin(
    string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt, string TokenEndpoint, string? RevocationEndpoint, string ClientId)
{
    public static CachedLogin From(TokenResponse token, string tokenEndpoint, string? revocationEndpoint, string clientId)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.AccessToken!, token.RefreshToken, DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn), tokenEndpoint, revocationEndpoint, clientId);
    }
}

/// <summary>
/// The CLI's logins, per gateway, in <c>tokens.json</c> in the user's config folder (<c>~/.config/goldbach</c>, or
/// <c>GOLDBACH_CONFIG_DIR</c>): the folder readable only by the user (0700), the file too (0600).
/// </summary>
public static class TokenCache
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Directory => Environment.GetEnvironmentVariable("GOLDBACH_CONFIG_DIR") is { Length: > 0 } configured
        ? configured
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.Create), "goldbach");

    public static string FilePath => Path.Combine(Directory, "tokens.json");

    public static CachedLogin? Load(Uri gateway) => Read().GetValueOrDefault(Key(gateway));

    public static void Save(Uri gateway, CachedLogin login)
    {
        var all = Read();
        all[Key(gateway)] = login;
        Write(all);
    }

    public static void Remove(Uri gateway)
    {
        var all = Read();
        if (all.Remove(Key(gateway)))
        {
            Write(all);
        }
    }

    private static string Key(Uri gateway) => gateway.GetLeftPart(UriPartial.Authority);

    private static Dictionary<string, CachedLogin> Read()
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, CachedLogin>>(File.ReadAllText(FilePath), Json) ?? [];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
        catch (JsonException)
        {
            // A damaged cache is no login: goldbach login writes a new one.
            return [];
        }
    }

    private static void Write(Dictionary<string, CachedLogin> all)
    {
        var directory = System.IO.Directory.CreateDirectory(Directory);
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }
        // Written beside it and moved over it: never a half-written cache, and never readable by others meanwhile.
        var temporary = FilePath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, all, Json);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }
}
