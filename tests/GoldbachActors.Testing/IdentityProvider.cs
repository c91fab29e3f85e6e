using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GoldbachActors.Testing;

/// <summary>
/// The local OpenID provider (<c>src/IdentityProvider/provider.mjs</c>, the npm package oidc-provider) as its own
/// process on a free loopback port, with the demo staff. <see cref="SignInAsync"/> signs a staff member in the way a
/// browser does (authorization code with PKCE through the provider's login form) and returns their tokens.
/// </summary>
public sealed partial class IdentityProvider : IAsyncDisposable
{
    /// <summary>The staff API's audience at the provider.</summary>
    public const string Audience = LocalSystemHost.Audience;

    /// <summary>The web inbox's client at the provider.</summary>
    public const string InboxClient = "goldbach-inbox";

    private readonly string _keysFile;
    private readonly string _redirect;
    private Process? _process;

    private IdentityProvider(int port, string redirect, string keysFile)
    {
        Port = port;
        _redirect = redirect;
        _keysFile = keysFile;
    }

    public int Port { get; }

    public string Issuer => $"http://localhost:{Port}";

    /// <summary>The gateway's settings for this provider and the demo staff's roles and town.</summary>
    public IEnumerable<string> GatewaySettings(string tenant) =>
    [
        .. ServiceDefaults.LocalDevelopment.IdentityProviderSettings(new Uri(Issuer), tenant).Select(s => $"--{s.Key}={s.Value}"),
        $"--Staff:Authentication:Audience={Audience}",
        "--Staff:Authentication:KeyRefreshInterval=00:00:01",
    ];

    /// <summary>Starts the provider; <paramref name="redirect"/> is the web inbox's origin (its callbacks are under it).</summary>
    public static async Task<IdentityProvider> StartAsync(string redirect, int accessTokenSeconds = 600, int? port = null)
    {
        var provider = new IdentityProvider(port ?? FreePort.Next(), redirect, Path.Combine(Directory.CreateTempSubdirectory("goldbach-idp-").FullName, "keys.json"));
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var argument in new[]
        {
            Path.Combine("src", "IdentityProvider", "provider.mjs"), "--port", $"{provider.Port}", "--redirect", redirect,
            "--audience", Audience, "--access-token-ttl", $"{accessTokenSeconds}", "--keys-file", provider._keysFile,
        })
        {
            info.ArgumentList.Add(argument);
        }
        provider._process = Process.Start(info) ?? throw new InvalidOperationException("The identity provider did not start.");
        provider._process.OutputDataReceived += (_, _) => { };
        provider._process.ErrorDataReceived += (_, _) => { };
        provider._process.BeginOutputReadLine();
        provider._process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(provider.Port, TimeSpan.FromSeconds(30));
        return provider;
    }

    /// <summary>The provider's current signing keys (private, RS256), newest first, as it publishes them.</summary>
    public JsonElement[] SigningKeys() =>
        [.. JsonDocument.Parse(File.ReadAllText(_keysFile)).RootElement.GetProperty("keys").EnumerateArray()];

    /// <summary>Puts a new signing key in front; the old one stays published.</summary>
    public async Task RotateKeysAsync()
    {
        using var http = new HttpClient();
        (await http.PostAsync(new Uri($"{Issuer}/dev/rotate-keys"), null)).EnsureSuccessStatusCode();
    }

    /// <summary>Stops the provider: nothing answers on its port (a provider outage).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Signs <paramref name="login"/> in through the provider's login form, as the web inbox's redirect does
    /// (authorization code, PKCE S256), and returns the token response (<c>access_token</c>, <c>refresh_token</c>, …).
    /// </summary>
    /// <exception cref="InvalidOperationException">The login form refused the password.</exception>
    public async Task<JsonElement> SignInAsync(string login, string password)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        var callback = new Uri(new Uri(_redirect), "auth/callback").ToString();
        var query = string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = InboxClient,
            ["response_type"] = "code",
            ["redirect_uri"] = callback,
            ["scope"] = "openid profile offline_access",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = "test-state",
            ["prompt"] = "consent",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        var response = await http.GetAsync(new Uri($"{Issuer}/auth?{query}"));
        // Through the redirects to the login form, then the form, then on to the callback with the code.
        var submitted = false;
        for (var hop = 0; hop < 10; hop++)
        {
            if (response.StatusCode is HttpStatusCode.OK && !submitted)
            {
                var form = await response.Content.ReadAsStringAsync();
                var action = FormAction().Match(form);
                if (!action.Success)
                {
                    throw new InvalidOperationException($"No login form at {response.RequestMessage?.RequestUri}.");
                }
                response = await http.PostAsync(new Uri(new Uri(Issuer), WebUtility.HtmlDecode(action.Groups[1].Value)),
                    new FormUrlEncodedContent(new Dictionary<string, string> { ["login"] = login, ["password"] = password }));
                submitted = true;
                continue;
            }
            if (response.StatusCode is HttpStatusCode.OK)
            {
                var page = await response.Content.ReadAsStringAsync();
                throw new InvalidOperationException(page.Contains("role=\"alert\"", StringComparison.Ordinal)
                    ? $"The provider refused the sign-in: {Alert().Match(page).Groups[1].Value}"
                    : "The provider showed a page instead of redirecting.");
            }
            var location = response.Headers.Location ?? throw new InvalidOperationException($"HTTP {(int)response.StatusCode} without a redirect.");
            var next = location.IsAbsoluteUri ? location : new Uri(new Uri(Issuer), location);
            if (next.ToString().StartsWith(callback, StringComparison.Ordinal))
            {
                var code = System.Web.HttpUtility.ParseQueryString(next.Query)["code"]
                    ?? throw new InvalidOperationException($"The callback has no code: {next.Query}");
                using var token = await http.PostAsync(new Uri($"{Issuer}/token"), new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "authorization_code",
                    ["code"] = code,
                    ["redirect_uri"] = callback,
                    ["client_id"] = InboxClient,
                    ["code_verifier"] = verifier,
                }));
                var body = await token.Content.ReadFromJsonAsync<JsonElement>();
                return token.IsSuccessStatusCode ? body : throw new InvalidOperationException($"The token endpoint refused: {body}");
            }
            response = await http.GetAsync(next);
        }
        throw new InvalidOperationException("The sign-in did not reach the callback.");
    }

    /// <summary>
    /// Confirms a device's sign-in (RFC 8628) as staff do in a browser: the verification page, the code, the login
    /// form, until the provider says the device is signed in.
    /// </summary>
    public async Task ConfirmDeviceAsync(Uri verification, string userCode, string login, string password)
    {
        ArgumentNullException.ThrowIfNull(verification);
        if (!verification.ToString().StartsWith(Issuer, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{verification} is not this provider's address.");
        }
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler);
        var response = await http.GetAsync(verification);
        for (var step = 0; step < 8; step++)
        {
            var page = await response.Content.ReadAsStringAsync();
            if (page.Contains("Das Gerät ist angemeldet.", StringComparison.Ordinal))
            {
                return;
            }
            var action = FormAction().Match(page);
            if (!action.Success)
            {
                throw new InvalidOperationException($"No form on the device page: {Alert().Match(page).Groups[1].Value}");
            }
            var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
            if (page.Contains("name=\"user_code\" autocomplete", StringComparison.Ordinal))
            {
                fields["user_code"] = userCode;
            }
            if (page.Contains("name=\"password\"", StringComparison.Ordinal))
            {
                (fields["login"], fields["password"]) = (login, password);
            }
            response = await http.PostAsync(new Uri(response.RequestMessage!.RequestUri!, WebUtility.HtmlDecode(action.Groups[1].Value)), new FormUrlEncodedContent(fields));
        }
        throw new InvalidOperationException("The device sign-in did not finish.");
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    [GeneratedRegex("role=\"alert\"[^>]*>([^<]*)<")]
    private static partial Regex Alert();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }
}
