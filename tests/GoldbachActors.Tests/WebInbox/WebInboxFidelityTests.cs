using GoldbachActors.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// Quotes, reactions, edits, deletions and the Business app's messages in the web inbox (Debian's Chromium), sent by
/// the WhatsApp stand-in as Meta's webhooks; screenshots at 1280 and 390 px and the axe scan.
/// </summary>
[Collection(WebInboxCollection.Name)]
public sealed class WebInboxFidelityTests(WebInboxSystem fixture, ITestOutputHelper output)
{
    private LocalSystemHost System => fixture.System;

    private static string Screenshot(string name) => Path.Combine(WebInboxSystem.ScreenshotDirectory, name);

    private Task<string> SendAsync(string path, object message) => System.SendThroughStandInAsync(path, message);

    private async Task WaitForReceiptAsync(string wamid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (System.ReadReceipts.List(wamid).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no read receipt for the newest message; receipts: {string.Join(", ", System.ReadReceipts.List().Select(r => r.MessageId))}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Quoted_replies_reactions_edits_deletions_and_app_messages_show_as_WhatsApp_shows_them()
    {
        var citizen = new Citizen("+4915177700030", "Greta Zitat");
        const string Citizens = "/simulator/citizens/messages";
        var first = await SendAsync(Citizens, new { from = citizen.Phone, name = citizen.Name, text = "Der Gehweg in der Lindenstraße ist vereist", username = "greta.goldbach" });
        var second = await SendAsync(Citizens, new { from = citizen.Phone, name = citizen.Name, text = "Vor allem vor Hausnummer 12", replyTo = first });
        await SendAsync(Citizens, new { from = citizen.Phone, name = citizen.Name, text = "Vor allem vor Hausnummer 14", edits = second });
        var wrong = await SendAsync(Citizens, new { from = citizen.Phone, name = citizen.Name, text = "Meine Telefonnummer ist 0171 1234567" });
        await SendAsync(Citizens, new { from = citizen.Phone, name = citizen.Name, revokes = wrong });
        var app = await SendAsync("/simulator/business-app/messages", new { to = citizen.Phone, text = "Der Winterdienst ist unterwegs." });
        await SendAsync(Citizens, new { from = citizen.Phone, name = citizen.Name, reactTo = app, emoji = "🙏" });

        var page = await fixture.SignedInPageAsync(1280, 900);
        await page.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Greta Zitat" })).ToBeVisibleAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync("@greta.goldbach");

        // The reply quotes the first message; a click on the quote jumps to it.
        var reply = page.Locator($"[data-wamid='{second}']");
        await Expect(reply.Locator(".quote")).ToContainTextAsync("Der Gehweg in der Lindenstraße ist vereist");
        await reply.Locator(".quote").ClickAsync();
        await Expect(page.Locator($"[data-wamid='{first}'] article")).ToBeFocusedAsync();
        // Edited: the new text, marked, the earlier one behind a disclosure.
        await Expect(reply.Locator(".text")).ToHaveTextAsync("Vor allem vor Hausnummer 14");
        await Expect(reply.Locator(".edited")).ToHaveTextAsync("bearbeitet");
        await reply.Locator("details.previous summary").ClickAsync();
        await Expect(reply.Locator("details.previous li")).ToHaveTextAsync("Vor allem vor Hausnummer 12");
        // Deleted: nothing of it left in the page.
        await Expect(page.Locator($"[data-wamid='{wrong}']")).ToContainTextAsync("Nachricht wurde gelöscht");
        await Expect(page.Locator(".entries")).Not.ToContainTextAsync("0171 1234567");
        // The Business app's message is the administration's, with the citizen's reaction on it; the reaction is no
        // entry of its own.
        var echo = page.Locator($"[data-wamid='{app}']");
        await Expect(echo.Locator(".sender")).ToHaveTextAsync("Verwaltung (App)");
        await Expect(echo.Locator(".reaction-badge [aria-hidden]")).ToHaveTextAsync("🙏");
        await Expect(page.Locator(".entry .reaction")).ToHaveCountAsync(0);

        // Opening it gave the citizen blue ticks on the newest message.
        await WaitForReceiptAsync(second);

        // Before sending, staff see what Meta charges the reply as.
        await Expect(page.Locator(".cost")).ToHaveAttributeAsync("data-pricing", "service");
        await Expect(page.Locator(".cost")).ToContainTextAsync("Service-Nachricht");

        // Staff quote the first message in their reply: typing shows the indicator, the citizen gets the quote.
        await page.Locator($"[data-wamid='{first}']").GetByRole(AriaRole.Button, new() { Name = "Zitieren" }).ClickAsync();
        await Expect(page.Locator(".quoting")).ToContainTextAsync("Der Gehweg in der Lindenstraße ist vereist");
        await page.GetByLabel("Antwort im Namen der Verwaltung").FillAsync("Der Winterdienst streut die Lindenstraße bis 10 Uhr.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Senden", Exact = true }).ClickAsync();
        var sent = await System.WaitForSentAsync(citizen.Phone, 2);
        Assert.Equal(first, sent.Single(m => m.Text?.StartsWith("Der Winterdienst streut", StringComparison.Ordinal) == true).Body["context"]?["message_id"]?.GetValue<string>());
        Assert.Contains(System.ReadReceipts.List(), r => r.Typing && (r.MessageId == second || r.MessageId == first || r.MessageId == wrong));
        var ours = page.Locator(".entry.outbound.reply", new() { HasText = "Der Winterdienst streut" });
        await Expect(ours.Locator(".quote")).ToContainTextAsync("Der Gehweg in der Lindenstraße ist vereist");
        // And mark the report done with a ✅ reaction, shown on the citizen's message.
        await page.Locator($"[data-wamid='{first}']").GetByRole(AriaRole.Button, new() { Name = "✅ Erledigt" }).ClickAsync();
        await Expect(page.Locator($"[data-wamid='{first}'] .reaction-badge.town [aria-hidden]")).ToHaveTextAsync("✅");
        Assert.Contains(await System.WaitForSentAsync(citizen.Phone, 3), m => m.Type == "reaction" && m.Text == "✅");

        await page.ScreenshotAsync(new() { Path = Screenshot("fidelity-1280.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "conversation with quotes, reactions, edits and deletions", output);
        await page.Context.CloseAsync();

        // On the duty phone a supervisor blocks the citizen for abuse (Meta's Block Users API), then lifts it.
        var phone = await fixture.SignedInPageAsync(390, 844, "vorzimmer");
        await phone.Locator($"li[data-conversation='{citizen.ConversationName}'] a").ClickAsync();
        await Expect(phone.Locator($"[data-wamid='{second}'] .quote")).ToBeVisibleAsync();
        await phone.GetByRole(AriaRole.Button, new() { Name = "Bei WhatsApp sperren (Missbrauch)" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Note).Filter(new() { HasText = "Bei WhatsApp gesperrt" })).ToBeVisibleAsync();
        Assert.True((await System.Staff().GetConversationAsync(new StaffApi.V1.GetConversationRequest { Name = citizen.ConversationName })).Summary.Blocked);
        await phone.GetByRole(AriaRole.Button, new() { Name = "Sperre aufheben" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Button, new() { Name = "Bei WhatsApp sperren (Missbrauch)" })).ToBeVisibleAsync();
        await phone.ScreenshotAsync(new() { Path = Screenshot("fidelity-390.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(phone, "conversation with quotes, reactions, edits and deletions (390 px)", output);
        await phone.Context.CloseAsync();
    }
}
