using GoldbachActors.Testing;
using Microsoft.Playwright;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// The whole system (Azurite, silo, gateway serving the built web inbox, WhatsApp stand-in), the local OpenID
/// provider staff sign in at, and Debian's Chromium, driven by Playwright. Status webhooks are on, so that staff see
/// their replies become delivered. The provider's access tokens live <see cref="AccessTokenSeconds"/> and the gateway
/// allows no clock skew, so that every test runs across renewals and a missed one would show.
/// </summary>
public sealed class WebInboxSystem : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string WindowTemplate = "bitte_melden";
    public const int AccessTokenSeconds = 20;

    private IPlaywright? _playwright;

    public LocalSystemHost System { get; } = LocalSystemHost.Create();

    public IBrowser Browser { get; private set; } = null!;

    public IdentityProvider Provider { get; private set; } = null!;

    /// <summary>The local push service the silo pushes to (headless Chromium cannot subscribe at a real one offline).</summary>
    public PushService Push { get; private set; } = null!;

    /// <summary>Where the run's screenshots go (git-ignored) for a person to look at.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot.Path, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(RepositoryRoot.Path, "artifacts", "web-inbox", "index.html")))
        {
            throw new InvalidOperationException("The web inbox is not built: run 'npm run web:build' (test.sh does).");
        }
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium (test.sh does).");
        }
        System.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystemHost.Tenant}:WindowTemplate:Name={WindowTemplate}");
        Push = await PushService.StartAsync();
        System.SiloSettings.AddRange(ServiceDefaults.LocalDevelopment.PushSettings().Select(s => $"--{s.Key}={s.Value}"));
        Provider = await IdentityProvider.StartAsync(System.GatewayHttp.ToString(), AccessTokenSeconds);
        // The provider for the browser; the development key stays for the tests' own gRPC calls.
        System.GatewaySettings.AddRange(Provider.GatewaySettings(LocalSystemHost.Tenant));
        System.GatewaySettings.Add("--Staff:Authentication:ClockSkew=00:00:00");
        await System.StartAsync();
        System.Meta.StatusWebhooks = true;
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // What works on this machine (no network beyond loopback); Playwright adds a fresh --user-data-dir.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A fresh browser (no session, no cookies) at the given width and address in the inbox.</summary>
    public async Task<IPage> NewPageAsync(int width, int height, string path = "/")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "de-DE",
            TimezoneId = "Europe/Berlin",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(System.GatewayHttp, path).ToString());
        return page;
    }

    /// <summary>
    /// Signs <paramref name="login"/> (a demo staff member of the provider: <c>bauhof</c> agent, <c>vorzimmer</c>
    /// supervisor, <c>it-admin</c> admin) in as staff do: "Anmelden", the provider's login form, back to the inbox.
    /// </summary>
    public static async Task SignInAsync(IPage page, string login)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await page.GetByLabel("Benutzername").FillAsync(login);
        await page.GetByLabel("Passwort").FillAsync($"{login}-demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
    }

    /// <summary>A fresh browser at the given width, signed in at the provider as <paramref name="login"/>.</summary>
    public async Task<IPage> SignedInPageAsync(int width, int height, string login = "bauhof")
    {
        var page = await NewPageAsync(width, height);
        await SignInAsync(page, login);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Posteingang" })).ToBeVisibleAsync();
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await System.DisposeAsync();
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }
        if (Push is not null)
        {
            await Push.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WebInboxCollection : ICollectionFixture<WebInboxSystem>
{
    public const string Name = "Web inbox in Chromium";
}
