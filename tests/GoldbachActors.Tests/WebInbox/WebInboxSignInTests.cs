using System.Text.Json;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// Signing in to the web inbox at the town's OpenID provider (the local oidc-provider, its real login form) in
/// Chromium: the round trip keeps a deep link, the role shapes the inbox, the session renews itself across token
/// expiries, signing out ends the provider's session too, and a refused account is told why.
/// </summary>
[Collection(WebInboxCollection.Name)]
public sealed class WebInboxSignInTests(WebInboxSystem fixture, ITestOutputHelper output)
{
    private LocalSystemHost System => fixture.System;

    private static string Screenshot(string name) => Path.Combine(WebInboxSystem.ScreenshotDirectory, name);

    [Fact]
    public async Task A_supervisor_signs_in_through_the_provider_keeps_the_deep_link_and_signs_out_there_too()
    {
        var citizen = new Citizen("+4915177700401", "Rita Rückweg");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From(LocalSystemHost.NewWamid())}},"type":"text","text":{"body":"Ist der Grillplatz am Samstag frei?"}"""));
        var deepLink = $"#/c/{Uri.EscapeDataString(citizen.ConversationName.Split('/')[3])}";

        var page = await fixture.NewPageAsync(1280, 900, "/" + deepLink);
        // Outside Development there is no box for a pasted token: only the provider.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Anmelden" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Token")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Screenshot("sign-in.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "sign-in", output);

        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await Expect(page.GetByLabel("Benutzername")).ToBeVisibleAsync();
        Assert.StartsWith(fixture.Provider.Issuer, page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Benutzername").FillAsync("vorzimmer");
        await page.GetByLabel("Passwort").FillAsync("falsch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Benutzername oder Passwort ist falsch.");
        await page.ScreenshotAsync(new() { Path = Screenshot("sign-in-provider.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "the provider's login form", output);
        await page.GetByLabel("Passwort").FillAsync("vorzimmer-demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();

        // Back in the inbox, at the conversation the link named, as a supervisor.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rita Rückweg" })).ToBeVisibleAsync();
        Assert.Equal(new Uri(System.GatewayHttp, "/" + deepLink), new Uri(page.Url));
        await Expect(page.GetByText("Angemeldet als Vorzimmer (Leitung)")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Rundschreiben" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Datenschutz" })).ToBeVisibleAsync();
        // The tokens are in this tab's sessionStorage, nothing in localStorage.
        Assert.NotNull(await StoredUserAsync(page));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        // The audit log has the provider's subject with the display name beside it.
        var audit = await System.Staff("staff-audit", "supervisor")
            .ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystemHost.Tenant}", Conversation = citizen.ConversationName });
        Assert.Contains(audit.Entries, e => (e.StaffId, e.StaffName) == ("staff-vorzimmer", "Vorzimmer"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Abmelden" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Sie haben sich abgemeldet.");
        Assert.Equal(new Uri(System.GatewayHttp, "/"), new Uri(page.Url));
        Assert.Null(await StoredUserAsync(page));
        await page.ScreenshotAsync(new() { Path = Screenshot("signed-out.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "signed out", output);
        // The provider's session ended too: signing in asks for the password again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await Expect(page.GetByLabel("Passwort")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_agent_sees_neither_broadcasts_nor_data_protection()
    {
        var page = await fixture.SignedInPageAsync(1280, 900, "bauhof");
        await Expect(page.GetByText("Angemeldet als Bauhof (Sachbearbeitung)")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Rundschreiben" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Datenschutz" })).ToHaveCountAsync(0);
        // Typing the address does not open them either.
        await page.GotoAsync(new Uri(System.GatewayHttp, "/#/broadcasts").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Posteingang" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rundschreiben" })).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_session_renews_itself_across_token_expiries()
    {
        var page = await fixture.SignedInPageAsync(1280, 900, "bauhof");
        var first = (await StoredUserAsync(page))!.Value;
        var firstToken = first.GetProperty("access_token").GetString()!;
        var firstExpiry = DateTimeOffset.FromUnixTimeSeconds(first.GetProperty("expires_at").GetInt64());
        Assert.InRange(firstExpiry - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(WebInboxSystem.AccessTokenSeconds));

        // Past the first token's expiry (the gateway allows no skew here): it is refused now, the page carries on.
        var wait = firstExpiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        var expired = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => System.StaffWithToken(firstToken)
            .GetSignedInStaffAsync(new GetSignedInStaffRequest()).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, expired.StatusCode);
        Assert.Contains("abgelaufen", expired.Status.Detail, StringComparison.Ordinal);

        var now = (await StoredUserAsync(page))!.Value;
        Assert.NotEqual(firstToken, now.GetProperty("access_token").GetString());
        Assert.True(now.GetProperty("expires_at").GetInt64() > first.GetProperty("expires_at").GetInt64());
        var bearers = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Headers.TryGetValue("authorization", out var bearer))
            {
                bearers.Add(bearer);
            }
        };
        var citizen = new Citizen("+4915177700402", "Erik Erneuert");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From(LocalSystemHost.NewWamid())}},"type":"text","text":{"body":"Wann wird die Straßenlaterne repariert?"}"""));
        await page.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Erik Erneuert" })).ToBeVisibleAsync();
        Assert.NotEmpty(bearers);
        Assert.DoesNotContain($"Bearer {firstToken}", bearers);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_account_without_a_role_is_refused_with_the_reason_and_may_sign_in_as_someone_else()
    {
        var page = await fixture.NewPageAsync(390, 844);
        await WebInboxSystem.SignInAsync(page, "praktikum");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Die Anmeldung wurde abgelehnt: Ihr Konto hat keine Rolle für den Posteingang");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Posteingang" })).ToHaveCountAsync(0);
        Assert.Null(await StoredUserAsync(page));
        await page.ScreenshotAsync(new() { Path = Screenshot("sign-in-refused-phone.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "sign-in refused (phone)", output);

        // The provider asks again rather than signing the same account in silently.
        await WebInboxSystem.SignInAsync(page, "bauhof");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Posteingang" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_forged_or_stale_callback_signs_nobody_in_and_says_so()
    {
        var page = await fixture.NewPageAsync(1280, 900, "/auth/callback?code=erfunden&state=unbekannt&iss=" + Uri.EscapeDataString(fixture.Provider.Issuer));
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "Die Anmeldung ist fehlgeschlagen: Die Rückmeldung des Anmeldedienstes gehört zu keiner Anmeldung in diesem Fenster. Bitte erneut anmelden.");
        Assert.Equal(new Uri(System.GatewayHttp, "/"), new Uri(page.Url));
        Assert.Null(await StoredUserAsync(page));
        // An error answer that belongs to no sign-in of this tab is refused the same way, and signing in stays possible.
        var denied = await fixture.NewPageAsync(1280, 900, "/auth/callback?error=access_denied&error_description=Zugriff%20verweigert&state=unbekannt");
        await Expect(denied.GetByRole(AriaRole.Alert)).ToContainTextAsync("Die Anmeldung ist fehlgeschlagen");
        await Expect(denied.GetByRole(AriaRole.Button, new() { Name = "Anmelden" })).ToBeEnabledAsync();
        await page.Context.CloseAsync();
        await denied.Context.CloseAsync();
    }

    // The user oidc-client-ts keeps in sessionStorage (access_token, expires_at, …), or null.
    private static async Task<JsonElement?> StoredUserAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string?>(
            "() => { const key = Object.keys(sessionStorage).find(k => k.startsWith('oidc.user:')); return key ? sessionStorage.getItem(key) : null; }");
        return json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
    }
}
