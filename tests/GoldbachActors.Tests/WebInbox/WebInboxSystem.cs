using GoldbachActors.Testing;
using Microsoft.Playwright;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// The whole system (Azurite, silo, gateway serving the built web inbox, WhatsApp stand-in) and Debian's Chromium,
/// driven by Playwright. Status webhooks are on, so that staff see their replies become delivered.
/// </summary>
public sealed class WebInboxSystem : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string WindowTemplate = "bitte_melden";

    private IPlaywright? _playwright;

    public LocalSystemHost System { get; } = LocalSystemHost.Create();

    public IBrowser Browser { get; private set; } = null!;

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

    /// <summary>A fresh browser context (no stored token) at the given width, signed in as a staff member.</summary>
    public async Task<IPage> SignedInPageAsync(int width, int height, string staffId = "staff-web", string role = "agent")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "de-DE",
            TimezoneId = "Europe/Berlin",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(System.GatewayHttp.ToString());
        await page.GetByLabel("Token").FillAsync(LocalSystemHost.Token(staffId, role, LocalSystemHost.Tenant));
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
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
    }
}

[CollectionDefinition(Name)]
public sealed class WebInboxCollection : ICollectionFixture<WebInboxSystem>
{
    public const string Name = "Web inbox in Chromium";
}
