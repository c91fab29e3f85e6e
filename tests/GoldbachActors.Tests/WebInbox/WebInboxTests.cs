using System.IO.Compression;
using System.Text.RegularExpressions;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// The web inbox in Debian's Chromium against the real gateway, silo, Azurite and WhatsApp stand-in: what staff see
/// and do, at desktop (1280 px) and duty-phone (390 px) width. Screenshots go to artifacts/screenshots.
/// </summary>
[Collection(WebInboxCollection.Name)]
public sealed partial class WebInboxTests(WebInboxSystem fixture, ITestOutputHelper output)
{
    private LocalSystemHost System => fixture.System;

    [Fact]
    public async Task Staff_see_a_message_arrive_live_reply_note_and_snooze_it()
    {
        var page = await fixture.SignedInPageAsync(1280, 900);
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        var citizen = new Citizen("+4915177700001", "Petra Schaukel");
        await System.PostWebhookAsync(Text(citizen, "Die Schaukel am Spielplatz in der Ringstraße ist kaputt"));
        var item = page.Locator($"li[data-conversation='{citizen.ConversationName}']");
        await Expect(item).ToContainTextAsync("Die Schaukel am Spielplatz");
        await Expect(item).ToContainTextAsync("Spielplatz");
        await Expect(item.Locator(".dot")).ToBeVisibleAsync();

        // Danger sorts first and raises the alert, still without a reload.
        var urgent = new Citizen("+4915177700002", "Max Brandt");
        await System.PostWebhookAsync(Text(urgent, "Hilfe, es brennt in der Scheune am Ortsrand"));
        await Expect(page.Locator("li.item").First).ToHaveAttributeAsync("data-conversation", urgent.ConversationName);
        await Expect(page.Locator("li.item").First.Locator(".badge.urgent")).ToHaveTextAsync("Dringend");
        await Expect(page.Locator(".urgent-alert")).ToContainTextAsync("Dringende Meldung von Max Brandt");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "The page was reloaded.");

        await item.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Petra Schaukel" })).ToBeVisibleAsync();
        await Expect(page.Locator(".entry.inbound")).ToContainTextAsync("Die Schaukel am Spielplatz");
        await Expect(page.Locator(".entry.outbound.automatic")).ToContainTextAsync("Vielen Dank für Ihre Nachricht");
        await Expect(page.Locator(".window.open")).ToContainTextAsync("24-Stunden-Fenster offen");
        // Opening it marked it read.
        await Expect(item.Locator(".dot")).ToHaveCountAsync(0);

        const string ReplyText = "Danke für den Hinweis! Der Bauhof schaut sich die Schaukel morgen an.";
        await page.GetByLabel("Antwort im Namen der Verwaltung").FillAsync(ReplyText);
        await page.GetByRole(AriaRole.Button, new() { Name = "Senden", Exact = true }).ClickAsync();
        var sent = await System.WaitForSentAsync(citizen.Phone, 2);
        Assert.Contains(sent, m => m.Text == ReplyText);
        var reply = page.Locator(".entry.outbound.reply", new() { HasText = "Der Bauhof schaut" });
        await Expect(reply.Locator(".delivery")).ToHaveAttributeAsync("data-state", new Regex("^(DELIVERED|READ)$"));
        await Expect(reply.Locator(".internal")).ToContainTextAsync("staff-bauhof");

        await page.GetByLabel("Notiz (nur für Mitarbeitende").FillAsync("Bauhof telefonisch informiert.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Notiz speichern" }).ClickAsync();
        await Expect(page.Locator(".entry.note")).ToContainTextAsync("Bauhof telefonisch informiert.");
        Assert.DoesNotContain(System.SentMessages.List(citizen.Phone), m => m.Text?.Contains("Bauhof telefonisch", StringComparison.Ordinal) == true);

        await page.GetByRole(AriaRole.Button, new() { Name = "Bis zum nächsten Arbeitstag zurückstellen" }).ClickAsync();
        await Expect(page.Locator(".status-value")).ToHaveTextAsync("Zurückgestellt");
        var stored = await System.Staff().GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName });
        Assert.Equal(ConversationStatus.Snoozed, stored.Summary.Status);
        Assert.True(stored.Summary.SnoozeTime.ToDateTimeOffset() > DateTimeOffset.UtcNow);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Photos_voice_notes_locations_contacts_and_reactions_show_in_the_conversation()
    {
        var citizen = new Citizen("+4915177700010", "Jana Bildner");
        var (photoId, photoSha) = System.Media.Add(SampleMedia.Png(240, 160), "image/png");
        var (voiceId, voiceSha) = System.Media.Add(SampleMedia.Wav(1.5), "audio/wav");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.web-photo")}},"type":"image","image":{"caption":"Müll am Glascontainer","mime_type":"image/png","sha256":"{{photoSha}}","id":"{{photoId}}"}""",
            $$"""{{citizen.From("wamid.web-voice")}},"type":"audio","audio":{"mime_type":"audio/wav","sha256":"{{voiceSha}}","id":"{{voiceId}}","voice":true}""",
            $$"""{{citizen.From("wamid.web-location")}},"type":"location","location":{"latitude":49.9901,"longitude":9.0712,"name":"Glascontainer Bahnhofstraße","address":"Bahnhofstraße 3"}""",
            $$"""{{citizen.From("wamid.web-contact")}},"type":"contacts","contacts":[{"name":{"formatted_name":"Hausmeister Huber"},"phones":[{"phone":"+49 6022 12345","type":"WORK"}]}]""",
            $$"""{{citizen.From("wamid.web-reaction")}},"type":"reaction","reaction":{"message_id":"wamid.web-photo","emoji":"👍"}"""));

        var page = await fixture.SignedInPageAsync(1280, 900);
        await page.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jana Bildner" })).ToBeVisibleAsync();

        var photo = page.GetByRole(AriaRole.Img, new() { Name = "Foto: Müll am Glascontainer" });
        await Expect(photo).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth === 240", await photo.ElementHandleAsync());

        var voice = page.Locator("audio");
        await Expect(voice).ToHaveAttributeAsync("src", new Regex("^blob:"));
        var duration = await voice.EvaluateAsync<double>(
            "a => a.readyState >= 1 ? a.duration : new Promise(r => a.addEventListener('loadedmetadata', () => r(a.duration), { once: true }))");
        Assert.InRange(duration, 1.4, 1.6);

        var map = page.GetByRole(AriaRole.Link, new() { Name = "Auf der Karte öffnen (OpenStreetMap)" });
        await Expect(map).ToHaveAttributeAsync("href", new Regex(@"openstreetmap\.org/\?mlat=49\.9901&mlon=9\.0712"));
        await Expect(page.Locator(".location")).ToContainTextAsync("Glascontainer Bahnhofstraße");
        await Expect(page.Locator(".contact")).ToContainTextAsync("Hausmeister Huber");
        await Expect(page.Locator(".contact a[href^='tel:']")).ToHaveCountAsync(1);
        // The reaction shows on the photo it refers to, not as an entry of its own.
        await Expect(page.Locator("[data-wamid='wamid.web-photo'] .reaction-badge [aria-hidden]")).ToHaveTextAsync("👍");
        await Expect(page.Locator(".entry .reaction")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_html_document_from_a_citizen_is_downloaded_never_rendered()
    {
        var citizen = new Citizen("+4915177700011", "Hanna Hintertür");
        const string Html = "<html><body><h1 id='pwned'>Gewonnen</h1><script>parent.document.title='pwned'</script></body></html>";
        var (documentId, documentSha) = System.Media.Add(global::System.Text.Encoding.UTF8.GetBytes(Html), "text/html");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.web-html")}},"type":"document","document":{"filename":"rechnung.html","mime_type":"text/html","sha256":"{{documentSha}}","id":"{{documentId}}"}"""));

        // The gateway serves it as opaque bytes, as a download, in a sandbox, uncached; ranges work.
        using var http = new HttpClient();
        var path = $"/staff/v1/media/{LocalSystemHost.Tenant}/{citizen.Bsuid}/wamid.web-html";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(System.GatewayHttp, path));
        request.Headers.Authorization = new("Bearer", LocalSystemHost.Token("staff-01", "agent", LocalSystemHost.Tenant));
        request.Headers.Range = new global::System.Net.Http.Headers.RangeHeaderValue(0, 5);
        using var response = await Eventually.Until(
            async () => await http.SendAsync(Clone(request)), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(20));
        Assert.Equal(global::System.Net.HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("<html>", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("sandbox", string.Join(",", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore);

        // In the inbox it is a download link whose file, opened in the page, shows nothing and runs nothing.
        var page = await fixture.SignedInPageAsync(1280, 900);
        await page.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        var link = page.GetByRole(AriaRole.Link, new() { Name = "rechnung.html herunterladen" });
        await Expect(link).ToHaveAttributeAsync("download", "rechnung.html");
        var href = await link.GetAttributeAsync("href");
        // Opened as a page of its own (a middle click), it is a download, not a document of the gateway's origin.
        var opened = await page.Context.NewPageAsync();
        var download = opened.WaitForDownloadAsync(new() { Timeout = 15_000 });
        try
        {
            await opened.GotoAsync(href!);
        }
        catch (PlaywrightException)
        {
            // "Download is starting": no page was rendered.
        }
        Assert.NotNull(await download);
        Assert.DoesNotContain("Gewonnen", await opened.ContentAsync(), StringComparison.Ordinal);
        Assert.NotEqual("pwned", await page.TitleAsync());
        await page.Context.CloseAsync();
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }

    [Fact]
    public async Task A_closed_window_is_shown_and_the_reply_goes_as_template_first()
    {
        var citizen = new Citizen("+4915177700020", "Karl Spät");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.web-late", DateTimeOffset.UtcNow.AddHours(-30))}},"type":"text","text":{"body":"Wann hat das Rathaus am Freitag geöffnet?"}"""));

        var page = await fixture.SignedInPageAsync(1280, 900);
        var item = page.Locator($"li[data-conversation='{citizen.ConversationName}']");
        // The acknowledgement missed the window by a day: it failed, with the reason, and the inbox says so.
        await Expect(item.Locator(".badge.failed")).ToHaveTextAsync("1 Nachricht fehlgeschlagen");
        await item.Locator("a").ClickAsync();
        var acknowledgement = page.Locator(".entry.outbound.automatic .delivery");
        await Expect(acknowledgement).ToHaveAttributeAsync("data-state", "FAILED");
        await Expect(acknowledgement).ToContainTextAsync("Fehlgeschlagen: ");
        await Expect(page.Locator(".window.closed")).ToContainTextAsync($"Vorlage „{WebInboxSystem.WindowTemplate}“");
        await page.GetByLabel("Textbaustein").SelectOptionAsync(new SelectOptionValue { Label = "Weitergeleitet" });
        await Expect(page.GetByLabel("Antwort im Namen der Verwaltung")).ToHaveValueAsync("Vielen Dank, Karl Spät! Wir kümmern uns.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vorlage senden und Antwort vormerken" }).ClickAsync();

        var sent = await System.WaitForSentAsync(citizen.Phone, 1);
        Assert.Contains(sent, m => m.Type == "template");
        Assert.DoesNotContain(sent, m => m.Text == "Vielen Dank, Karl Spät! Wir kümmern uns.");
        await Expect(page.Locator(".entry.outbound.reply .delivery")).ToHaveAttributeAsync("data-state", "WAITING_FOR_WINDOW");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_duty_phone_shows_one_pane_at_a_time()
    {
        var citizen = new Citizen("+4915177700030", "Lena Laut");
        await System.PostWebhookAsync(Text(citizen, "Seit Mitternacht laute Musik im Nachbarhaus, Ruhestörung!"));
        var page = await fixture.SignedInPageAsync(390, 844);

        var item = page.Locator($"li[data-conversation='{citizen.ConversationName}'] a");
        await item.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Lena Laut" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Posteingang" })).ToBeHiddenAsync();
        // Nothing wider than the phone: no sideways scrolling.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"), "The page scrolls sideways at 390 px.");

        await page.GetByRole(AriaRole.Button, new() { Name = "Zurück zum Posteingang" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Posteingang" })).ToBeVisibleAsync();
        await Expect(item).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Search_and_filters_narrow_the_inbox()
    {
        var noise = new Citizen("+4915177700050", "Ida Lärm");
        var litter = new Citizen("+4915177700051", "Otto Abfall");
        await System.PostWebhookAsync(Text(noise, "Jede Nacht Krach von der Baustelle am Kirchplatz"));
        await System.PostWebhookAsync(Text(litter, "Wilde Müllkippe am Waldweg hinter dem Sportplatz"));
        var page = await fixture.SignedInPageAsync(1280, 900);
        var noiseItem = page.Locator($"li[data-conversation='{noise.ConversationName}']");
        var litterItem = page.Locator($"li[data-conversation='{litter.ConversationName}']");
        await Expect(noiseItem).ToBeVisibleAsync();
        await Expect(litterItem).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Suche" }).FillAsync("Müllkippe Waldweg");
        await page.GetByRole(AriaRole.Button, new() { Name = "Suchen" }).ClickAsync();
        await Expect(noiseItem).ToHaveCountAsync(0);
        await Expect(litterItem).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Suche" }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Suchen" }).ClickAsync();
        await page.GetByText("Filter", new() { Exact = true }).ClickAsync();
        await page.GetByLabel("Kategorie").SelectOptionAsync("Lärmbelästigung");
        await Expect(noiseItem).ToBeVisibleAsync();
        await Expect(litterItem).ToHaveCountAsync(0);
        Assert.All(await page.Locator("li.item").AllInnerTextsAsync(), text => Assert.Contains("Lärmbelästigung", text, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Keyboard_alone_reaches_a_conversation_and_the_reply_box()
    {
        var citizen = new Citizen("+4915177700040", "Tom Taste");
        await System.PostWebhookAsync(Text(citizen, "Wer ist für die Grillplatz-Reservierung zuständig?"));
        var page = await fixture.SignedInPageAsync(1280, 900);
        var link = page.Locator($"li[data-conversation='{citizen.ConversationName}'] a");
        await Expect(link).ToBeVisibleAsync();

        for (var i = 0; i < 60 && !await link.EvaluateAsync<bool>("a => a === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await Expect(link).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tom Taste" })).ToBeFocusedAsync();
        var reply = page.GetByLabel("Antwort im Namen der Verwaltung");
        for (var i = 0; i < 60 && !await reply.EvaluateAsync<bool>("t => t === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await Expect(reply).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task Inbox_and_conversation_pass_an_accessibility_scan(int width, int height, string device)
    {
        var citizen = new Citizen($"+49151777001{width % 100:00}", "Anna Zugang");
        var (photoId, photoSha) = System.Media.Add(SampleMedia.Png(240, 160), "image/png");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From(LocalSystemHost.NewWamid())}},"type":"text","text":{"body":"Am Spielplatz Lindenweg ist die Rutsche kaputt."}""",
            $$"""{{citizen.From(LocalSystemHost.NewWamid())}},"type":"image","image":{"caption":"Rutsche","mime_type":"image/png","sha256":"{{photoSha}}","id":"{{photoId}}"}"""));
        await System.Staff().AddNoteAsync(new AddNoteRequest { Conversation = citizen.ConversationName, Text = "Foto an Bauhof weitergegeben." });

        var page = await fixture.SignedInPageAsync(width, height, "vorzimmer");
        await Expect(page.Locator($"li[data-conversation='{citizen.ConversationName}']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebInboxSystem.ScreenshotDirectory, $"inbox-{device}.png"), FullPage = true });
        await AssertNoSeriousViolationsAsync(page, $"inbox ({device})");

        await page.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        await Expect(page.Locator(".entry.note")).ToContainTextAsync("Foto an Bauhof");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Foto: Rutsche" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebInboxSystem.ScreenshotDirectory, $"conversation-{device}.png"), FullPage = true });
        await AssertNoSeriousViolationsAsync(page, $"conversation ({device})");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_supervisor_previews_and_sends_a_broadcast_and_follows_its_progress_live()
    {
        // Two members of the Ukrainian list: one who joined by keyword (window open), one added by staff (closed).
        var writer = new Citizen("+4915177700201", "Olena Writer");
        await System.PostWebhookAsync(Text(writer, "СТАРТ"));
        await System.Staff().AddListMemberAsync(new AddListMemberRequest
        {
            List = $"tenants/{LocalSystemHost.Tenant}/lists/ukraine-info",
            PhoneNumber = "+4915177700202",
            Language = "de",
            ConsentNote = "Formular",
        });
        await System.WaitForSentAsync(writer.Phone, 1);

        // Agents do not get the broadcasts at all.
        var agentPage = await fixture.SignedInPageAsync(1280, 900, "bauhof");
        await Expect(agentPage.GetByRole(AriaRole.Link, new() { Name = "Rundschreiben" })).ToHaveCountAsync(0);
        await agentPage.Context.CloseAsync();

        var page = await fixture.SignedInPageAsync(1280, 900, "vorzimmer");
        await page.GetByRole(AriaRole.Link, new() { Name = "Rundschreiben" }).ClickAsync();
        var card = page.Locator($"li[data-list='tenants/{LocalSystemHost.Tenant}/lists/ukraine-info']");
        await Expect(card).ToContainTextAsync("Informationen für Geflüchtete");
        await Expect(card).ToContainTextAsync("Ukrainisch: 1");
        await page.GetByLabel("Liste", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Informationen für Geflüchtete" });
        await page.GetByLabel("Titel (nur intern)").FillAsync("Sirenentest Dezember");
        await page.GetByLabel("Text (Ukrainisch)").FillAsync("Перевірка сирени в суботу об 11:00.");
        await page.GetByLabel("Text (Deutsch)").FillAsync("Sirenentest am Samstag um 11 Uhr.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "An alle Mitglieder senden" })).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Vorschau" }).ClickAsync();
        var preview = page.GetByTestId("broadcast-preview");
        await Expect(preview).ToContainTextAsync("1 als Text (Fenster offen), 1 als Vorlage");
        await Expect(preview).ToContainTextAsync("Ukrainisch: 1 · Deutsch: 1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebInboxSystem.ScreenshotDirectory, "broadcast-preview.png"), FullPage = true });
        await AssertNoSeriousViolationsAsync(page, "broadcasts");

        await page.GetByRole(AriaRole.Button, new() { Name = "An alle Mitglieder senden" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rundschreiben gestartet" })).ToContainTextAsync("2 Empfänger");
        var sent = await System.WaitForSentAsync(writer.Phone, 2);
        Assert.Equal("Перевірка сирени в суботу об 11:00.", sent[1].Text);
        Assert.Equal("template", Assert.Single(await System.WaitForSentAsync("+4915177700202", 1)).Type);
        // Live: the counts move on without a reload as the stand-in reports delivery.
        var row = page.Locator("li[data-broadcast]", new() { HasText = "Sirenentest Dezember" });
        await Expect(row.GetByTestId("broadcast-counts")).ToContainTextAsync("2 gelesen", new() { Timeout = 20_000 });
        await Expect(row).ToContainTextAsync("Abgeschlossen");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_supervisor_downloads_a_citizens_data_erases_them_after_confirming_and_reads_the_retention_report()
    {
        var citizen = new Citizen("+4915177700301", "Greta Auskunft");
        await System.PostWebhookAsync(Text(citizen, "Bitte um Rückruf wegen Grillplatz"));
        await System.WaitForSentAsync(citizen.Phone, 1);

        var agentPage = await fixture.SignedInPageAsync(1280, 900, "bauhof");
        await Expect(agentPage.GetByRole(AriaRole.Link, new() { Name = "Datenschutz" })).ToHaveCountAsync(0);
        await agentPage.Context.CloseAsync();

        var page = await fixture.SignedInPageAsync(1280, 900, "vorzimmer");
        await page.GetByRole(AriaRole.Link, new() { Name = "Datenschutz" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Löschfristen (Bericht für die Datenschutzbeauftragte)" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Protokolleinträge älter als 730 Tage: 0 fällig.")).ToBeVisibleAsync();
        await page.GetByLabel("Telefonnummer oder WhatsApp-Kennung").FillAsync(citizen.Phone);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Auskunft herunterladen (Art. 15)" }).ClickAsync());
        Assert.Matches(@"^auskunft-\d{4}-\d{2}-\d{2}\.zip$", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.zip");
        await download.SaveAsAsync(saved);
        using (var zip = ZipFile.OpenRead(saved))
        {
            using var reader = new StreamReader(zip.GetEntry("export.json")!.Open());
            var json = await reader.ReadToEndAsync();
            Assert.Contains("Bitte um Rückruf wegen Grillplatz", json, StringComparison.Ordinal);
            Assert.Contains("Greta Auskunft", json, StringComparison.Ordinal);
            Assert.NotNull(zip.GetEntry("bericht.html"));
        }
        File.Delete(saved);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Auskunft erstellt" })).ToBeVisibleAsync();

        // Erasing needs a second, deliberate step.
        await page.GetByRole(AriaRole.Button, new() { Name = "Löschen … (Art. 17)" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Button, new() { Name = "Endgültig löschen" });
        await Expect(confirm).ToBeDisabledAsync();
        await page.GetByLabel("Ich habe geprüft, dass keine Aufbewahrungspflicht entgegensteht").CheckAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebInboxSystem.ScreenshotDirectory, "privacy-erase.png"), FullPage = true });
        await AssertNoSeriousViolationsAsync(page, "privacy");
        await confirm.ClickAsync();
        await Expect(page.GetByTestId("erasure-result")).ToContainTextAsync("Gelöscht: 2 Nachrichten");
        var gone = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => System.Staff("staff-dpo", "supervisor")
            .GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.NotFound, gone.StatusCode);
        await page.Context.CloseAsync();
    }

    private Task AssertNoSeriousViolationsAsync(IPage page, string view) => AxeScan.AssertNoSeriousViolationsAsync(page, view, output);

    private static byte[] Text(Citizen citizen, string text) =>
        Payloads.Messages(citizen, $$"""{{citizen.From(LocalSystemHost.NewWamid())}},"type":"text","text":{"body":"{{text}}"}""");
}
