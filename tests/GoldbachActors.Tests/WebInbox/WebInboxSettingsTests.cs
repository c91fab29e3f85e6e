using System.Globalization;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// "Einstellungen" in Chromium on a cluster of two silos: the admin's invalid entry is refused beside its field and
/// saves nothing; a new acknowledgement text reaches the next citizens within seconds, whichever silo holds them,
/// with no restart; the triage test box; agents see no settings; the axe scan at 1280 and 390 px.
/// </summary>
[Collection(WebInboxCollection.Name)]
public sealed class WebInboxSettingsTests(WebInboxSystem fixture, ITestOutputHelper output)
{
    private static readonly string Parent = $"tenants/{LocalSystemHost.Tenant}";

    private LocalSystemHost System => fixture.System;

    private static string Screenshot(string name) => Path.Combine(WebInboxSystem.ScreenshotDirectory, name);

    [Fact]
    public async Task An_admin_changes_the_acknowledgement_in_the_inbox_and_citizens_on_either_silo_get_it_within_seconds()
    {
        var admin = System.Staff("it-admin", StaffRoles.Admin);
        var original = await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = Parent });
        await System.AddSiloProcessAsync();
        try
        {
            var page = await fixture.SignedInPageAsync(1280, 900, "it-admin");
            await page.GetByRole(AriaRole.Link, new() { Name = "Einstellungen" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Einstellungen der Gemeinde" })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Screenshot("settings-1280.png"), FullPage = true });
            await AxeScan.AssertNoSeriousViolationsAsync(page, "settings", output);

            // A time that does not exist: refused beside the field, nothing saved.
            var monday = page.GetByLabel("Montag", new() { Exact = true });
            await monday.FillAsync("25:00-12:00");
            await page.GetByRole(AriaRole.Button, new() { Name = "Einstellungen speichern" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("nichts wurde gespeichert");
            await Expect(monday).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.Locator(".field-error").First).ToContainTextAsync("„25:00-12:00“ ist keine Zeitspanne");
            await AxeScan.AssertNoSeriousViolationsAsync(page, "settings with field errors", output);
            Assert.Equal(original.Version, (await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = Parent })).Version);

            const string text = "Danke für Ihre Nachricht! Die Verwaltung des Markts Goldbach meldet sich bald.";
            await monday.FillAsync("");
            await page.GetByLabel("Während der Öffnungszeiten").First.FillAsync(text);
            await page.GetByRole(AriaRole.Button, new() { Name = "Einstellungen speichern" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Gespeichert als Version" })).ToBeVisibleAsync();

            var ack = await System.FirstChangedAcknowledgementAsync("781", t => t == text, TimeSpan.FromSeconds(10));
            output.WriteLine($"The new acknowledgement reached a citizen {ack.Delay.TotalSeconds:F1} s after the save.");
            // Every citizen after that, on whichever of the two silos, gets the new text.
            for (var i = 0; i < 6; i++)
            {
                var phone = $"+491511237829{i}";
                using (await System.PostWebhookAsync(LocalSystemHost.TextWebhook(phone, "Hallo")))
                {
                }
                Assert.Equal(text, Assert.Single(await System.WaitForSentAsync(phone, 1)).Text);
            }

            // Office hours every day, and today a new closing day: the next citizen gets the out-of-hours text that
            // names the next opening (not today).
            var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, berlin).DateTime);
            foreach (var day in new[] { "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag" })
            {
                await page.GetByLabel(day, new() { Exact = true }).FillAsync("00:00-23:59");
            }
            await page.GetByLabel("Schließtage").FillAsync(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            await page.GetByLabel("Außerhalb der Öffnungszeiten").First.FillAsync("Heute ist das Rathaus geschlossen. Wir melden uns ab {next}.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Einstellungen speichern" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Gespeichert als Version" })).ToBeVisibleAsync();
            var closed = await System.FirstChangedAcknowledgementAsync("784",
                t => t?.StartsWith("Heute ist das Rathaus geschlossen. Wir melden uns ab ", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10));
            output.WriteLine($"The closing day reached a citizen {closed.Delay.TotalSeconds:F1} s after the save: {closed.Text}");
            Assert.Matches(@"ab (Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d{1,2}\. \p{L}+ ab 0:00 Uhr\.$", closed.Text);
            Assert.DoesNotContain(today.ToString("d. MMMM", CultureInfo.GetCultureInfo("de-DE")), closed.Text, StringComparison.Ordinal);
            await Expect(page.GetByTestId("settings-history")).ToContainTextAsync("ClosedDays");

            await page.GetByLabel("Nachricht testen").FillAsync("Auf dem Spielplatz brennt eine Mülltonne!");
            await page.GetByRole(AriaRole.Button, new() { Name = "Prüfen" }).ClickAsync();
            await Expect(page.GetByTestId("triage")).ToContainTextAsync("Dringend.");

            var phone390 = await fixture.SignedInPageAsync(390, 844, "it-admin");
            await phone390.GotoAsync(new Uri(System.GatewayHttp, "/#/einstellungen").ToString());
            await Expect(phone390.GetByRole(AriaRole.Heading, new() { Name = "Einstellungen der Gemeinde" })).ToBeVisibleAsync();
            await Expect(phone390.GetByLabel("Während der Öffnungszeiten").First).ToHaveValueAsync(text);
            await phone390.ScreenshotAsync(new() { Path = Screenshot("settings-390.png"), FullPage = true });
            await AxeScan.AssertNoSeriousViolationsAsync(phone390, "settings (390 px)", output);

            // An agent has no settings view (and the API refuses them, see TenantSettingsTests).
            var agent = await fixture.SignedInPageAsync(1280, 900, "bauhof");
            await Expect(agent.GetByRole(AriaRole.Link, new() { Name = "Einstellungen" })).ToHaveCountAsync(0);
        }
        finally
        {
            // The other tests of the collection expect the configured texts.
            var current = await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = Parent });
            await admin.UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { Parent = Parent, Version = current.Version, DocumentJson = original.DocumentJson });
            System.TerminateSiloProcess();
            await System.WaitForSiloProcessExitAsync(TimeSpan.FromSeconds(60));
        }
    }
}
