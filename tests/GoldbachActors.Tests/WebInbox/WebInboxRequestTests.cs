using System.Net;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// Requests (Anliegen) in the web inbox (Debian's Chromium): made from a conversation's side panel with its photo and
/// place, found again in the list by its filters, moved on; and the Bauhof's own account, signed in at the real
/// provider, sees the Bauhof's requests only. Screenshots at 1280 and 390 px and the axe scan.
/// </summary>
[Collection(WebInboxCollection.Name)]
public sealed class WebInboxRequestTests(WebInboxSystem fixture, ITestOutputHelper output)
{
    private LocalSystemHost System => fixture.System;

    private static string Screenshot(string name) => Path.Combine(WebInboxSystem.ScreenshotDirectory, name);

    [Fact]
    public async Task Staff_make_a_request_from_the_side_panel_find_it_by_the_filters_move_it_on_and_the_bauhof_sees_only_its_own()
    {
        var citizen = new Citizen("+4915177700061", "Paul Lindner");
        var (photoId, photoSha) = System.Media.Add(SampleMedia.Png(64, 48), "image/png");
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        using (var posted = await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.web-req-photo", at)}},"type":"image","image":{"mime_type":"image/png","sha256":"{{photoSha}}","id":"{{photoId}}"}""",
            $$"""{{citizen.From("wamid.web-req-place", at.AddSeconds(1))}},"type":"location","location":{"latitude":50.002211,"longitude":9.187733}""",
            $$"""{{citizen.From("wamid.web-req-text", at.AddSeconds(2))}},"type":"text","text":{"body":"Die Wippe am Spielplatz Schulstraße ist locker"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }
        // Another department's request, which the Bauhof must not see.
        var agent = System.Staff("sachbearbeiter-9");
        var noise = await agent.CreateRequestAsync(new CreateRequestRequest
        {
            Parent = $"tenants/{LocalSystemHost.Tenant}",
            ServiceCode = "laerm",
            Description = "Laute Musik am Marktplatz",
            Place = new RequestPlace { Latitude = 50.0, Longitude = 9.18 },
            RequestId = "web-req-laerm",
        });

        var page = await fixture.SignedInPageAsync(1280, 900);
        await page.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        var panel = page.Locator(".requests-panel");
        await Expect(panel).ToContainTextAsync("noch kein Anliegen");
        // Triage filed the conversation under "Spielplatz": the panel proposes the Bauhof's service.
        await Expect(panel.GetByRole(AriaRole.Note)).ToContainTextAsync("Vorschlag der Einordnung: ein Anliegen „Spielplatz beschädigt“ für Bauhof.");
        await panel.Locator("summary").ClickAsync();
        await panel.GetByLabel("Leistung").SelectOptionAsync("spielplatz");
        await Expect(panel.GetByLabel("Beschreibung für die Abteilung")).ToHaveValueAsync("Die Wippe am Spielplatz Schulstraße ist locker");
        await panel.Locator("form.request-create button[type=submit]").ClickAsync();
        await Expect(panel.Locator(".request-notice")).ToContainTextAsync("Bauhof wird informiert");
        var link = panel.Locator(".panel-requests a");
        await Expect(link).ToHaveCountAsync(1);
        await Expect(panel.GetByRole(AriaRole.Note)).ToHaveCountAsync(0);
        var id = (await link.TextContentAsync())!;
        Assert.Matches(@"^\d{4}-\d{4}$", id);

        // The request in the list and beside it: its place, its photo, the mail, the way back to the conversation.
        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/anliegen/{id}$"));
        var detail = page.Locator($"[data-request-detail='{id}']");
        await Expect(detail.GetByRole(AriaRole.Heading, new() { Name = $"Anliegen {id}: Spielplatz beschädigt" })).ToBeVisibleAsync();
        await Expect(detail).ToContainTextAsync("50.002211, 9.187733");
        await Expect(detail.GetByRole(AriaRole.Img, new() { Name = $"Foto 1 zum Anliegen {id}" })).ToBeVisibleAsync();
        await Expect(detail.GetByRole(AriaRole.Link, new() { Name = "Gespräch öffnen" })).ToBeVisibleAsync();
        var row = page.Locator($"tr[data-request='{id}']");
        await Expect(row).ToContainTextAsync("Eingegangen");
        await Expect(page.Locator($"tr[data-request='{noise.Id}']")).ToHaveCountAsync(1);

        // The filters: by status, department, service and overdue.
        var filters = page.GetByRole(AriaRole.Search, new() { Name = "Anliegen filtern" });
        await filters.GetByLabel("Stand").SelectOptionAsync(new SelectOptionValue { Label = "Erledigt" });
        await Expect(row).ToHaveCountAsync(0);
        await filters.GetByLabel("Stand").SelectOptionAsync(new SelectOptionValue { Label = "Alle" });
        await filters.GetByLabel("Abteilung").SelectOptionAsync(new SelectOptionValue { Label = "Bauhof" });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(page.Locator($"tr[data-request='{noise.Id}']")).ToHaveCountAsync(0);
        await filters.GetByLabel("Leistung").SelectOptionAsync("laerm");
        await Expect(row).ToHaveCountAsync(0);
        await filters.GetByLabel("Leistung").SelectOptionAsync("");
        await filters.GetByLabel("Nur überfällige").CheckAsync();
        await Expect(row).ToHaveCountAsync(0);
        await filters.GetByLabel("Nur überfällige").UncheckAsync();
        await Expect(row).ToHaveCountAsync(1);

        // Moved on with a note: the row follows.
        await detail.GetByLabel("Neuer Stand").SelectOptionAsync(new SelectOptionValue { Label = "In Arbeit" });
        await detail.GetByLabel("Vermerk", new() { Exact = false }).FillAsync("Bauhof schaut am Montag");
        await detail.GetByRole(AriaRole.Button, new() { Name = "Stand speichern" }).ClickAsync();
        await Expect(detail.Locator(".request-notice")).ToHaveTextAsync("Stand gespeichert: In Arbeit.");
        await Expect(row.Locator(".request-status")).ToHaveTextAsync("In Arbeit");
        var stored = await agent.GetRequestAsync(new GetRequestRequest { Name = $"tenants/{LocalSystemHost.Tenant}/requests/{id}" });
        Assert.Equal((RequestStatus.InProgress, "Bauhof schaut am Montag"), (stored.Status, stored.StatusNotes));
        await page.ScreenshotAsync(new() { Path = Screenshot("requests-1280.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "requests with one open", output);
        await page.Context.CloseAsync();

        // The Bauhof's own account on a phone: its requests only, the public text, no conversation, no inbox.
        var team = await fixture.NewPageAsync(390, 844, $"/{"#/anliegen/" + id}");
        await WebInboxSystem.SignInAsync(team, "bauhof-team");
        await Expect(team.GetByRole(AriaRole.Heading, new() { Name = "Anliegen – Bauhof" })).ToBeVisibleAsync();
        await Expect(team.Locator($"tr[data-request='{id}']")).ToHaveCountAsync(1);
        await Expect(team.Locator($"tr[data-request='{noise.Id}']")).ToHaveCountAsync(0);
        await Expect(team.GetByRole(AriaRole.Link, new() { Name = "Posteingang" })).ToHaveCountAsync(0);
        await Expect(team.Locator("li[data-conversation]")).ToHaveCountAsync(0);
        var seen = team.Locator($"[data-request-detail='{id}']");
        await Expect(seen).ToContainTextAsync("Die Wippe am Spielplatz Schulstraße ist locker");
        await Expect(seen.GetByRole(AriaRole.Link, new() { Name = "Gespräch öffnen" })).ToHaveCountAsync(0);
        await Expect(seen.GetByRole(AriaRole.Img, new() { Name = $"Foto 1 zum Anliegen {id}" })).ToBeVisibleAsync();
        await Expect(team.Locator("body")).Not.ToContainTextAsync("Lindner");
        await Expect(team.Locator("body")).Not.ToContainTextAsync("177700061");
        await team.ScreenshotAsync(new() { Path = Screenshot("requests-department-390.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(team, "the Bauhof's requests (390 px)", output);
        await team.Context.CloseAsync();
    }
}
