using System.Text.Json;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>
/// The duty phone in Chromium: the inbox is an installable app (manifest, icons, service worker: Chromium's own
/// installability check), a real push (sent by the silo, VAPID-verified and decrypted by the local push service) is
/// delivered to the service worker, shows a notification without personal data, and its click opens the
/// conversation; the "Bereitschaft" view (devices, pause, rota) and the offline app shell.
/// </summary>
[Collection(WebInboxCollection.Name)]
public sealed class WebInboxDutyTests(WebInboxSystem fixture, ITestOutputHelper output)
{
    private static readonly string Parent = $"tenants/{LocalSystemHost.Tenant}";

    private LocalSystemHost System => fixture.System;

    private static string Screenshot(string name) => Path.Combine(WebInboxSystem.ScreenshotDirectory, name);

    [Fact]
    public async Task An_installable_app_whose_service_worker_shows_a_real_push_and_opens_the_conversation_when_it_is_clicked()
    {
        var page = await fixture.SignedInPageAsync(1280, 900, "bauhof");
        Assert.Equal("activated", await page.EvaluateAsync<string>("async () => (await navigator.serviceWorker.ready).active.state"));
        var cdp = await page.Context.NewCDPSessionAsync(page);
        // Chromium's own check (manifest, icons, service worker, secure origin). Playwright's contexts are incognito
        // profiles, which Chromium never installs from: that one reason is the browser's, not the app's.
        var installability = await cdp.SendAsync("Page.getInstallabilityErrors");
        var errors = installability!.Value.GetProperty("installabilityErrors").EnumerateArray().Select(e => e.GetProperty("errorId").GetString()).ToList();
        Assert.Equal(["in-incognito"], errors);
        var manifest = await cdp.SendAsync("Page.getAppManifest");
        Assert.Equal("[]", manifest!.Value.GetProperty("errors").GetRawText());

        // The device this browser would subscribe at its push service; headless Chromium has none offline, so the
        // local push service stands in for it, and its decrypted payload goes to the browser's service worker.
        var bauhof = System.Staff("staff-bauhof");
        var settings = await bauhof.GetNotificationSettingsAsync(new GetNotificationSettingsRequest());
        var device = await fixture.Push.SubscribeAsync(settings.VapidPublicKey);
        await bauhof.RegisterPushDeviceAsync(new RegisterPushDeviceRequest { DeviceId = "bauhof-handy", Endpoint = device.Endpoint, P256Dh = device.P256dh, Auth = device.Auth, Label = "Diensthandy" });
        var leitung = System.Staff("staff-vorzimmer", "supervisor");
        var rota = await leitung.GetDutyRotaAsync(new GetDutyRotaRequest { Parent = Parent });
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await leitung.UpdateDutyRotaAsync(new UpdateDutyRotaRequest
        {
            Parent = Parent,
            Version = rota.Version,
            Shifts = { new RotaShift { FromDate = $"{today.AddDays(-1):yyyy-MM-dd}", ToDate = $"{today.AddDays(1):yyyy-MM-dd}", StaffIds = { "staff-bauhof" } } },
        });

        var citizen = new Citizen("+4915177700901", "Gustav Gefahr");
        await System.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From(LocalSystemHost.NewWamid())}},"type":"text","text":{"body":"Wasserrohrbruch in der Schulstraße, die Straße steht unter Wasser"}"""));
        var push = await WaitForPushAboutAsync(device, bauhof, citizen.ConversationName);
        Assert.DoesNotContain("Gustav", push, StringComparison.Ordinal);
        Assert.DoesNotContain("Schulstraße", push, StringComparison.Ordinal);

        await page.Context.GrantPermissionsAsync(["notifications"], new() { Origin = System.GatewayHttp.ToString().TrimEnd('/') });
        var registrations = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var registration in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (!registration.GetProperty("isDeleted").GetBoolean())
                {
                    registrations.TrySetResult(registration.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var registrationId = await registrations.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
        {
            ["origin"] = System.GatewayHttp.ToString().TrimEnd('/'),
            ["registrationId"] = registrationId,
            ["data"] = push,
        });
        var title = JsonDocument.Parse(push).RootElement.GetProperty("title").GetString()!;
        Assert.Equal("Dringend: neue Nachricht (Kategorie Sonstiges)", title);
        await WaitUntilAsync(async () => (await ShownTitlesAsync(page)).Contains(title));

        // The click (dispatched in the worker, as the system would on a tap) opens the conversation in this window.
        Assert.Equal(JsonDocument.Parse(push).RootElement.GetProperty("url").GetString(),
            await page.EvaluateAsync<string>("async () => (await (await navigator.serviceWorker.ready).getNotifications())[0].data.url"));
        // (A re-notification under the same tag may replace it for a moment: wait for it inside the worker.)
        await EvaluateInServiceWorkerAsync(cdp, """
            (async () => {
              for (let i = 0; i < 50; i++) {
                const [n] = await self.registration.getNotifications();
                if (n) { self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n })); return true; }
                await new Promise((r) => setTimeout(r, 100));
              }
              throw new Error('no notification to click');
            })()
            """);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Gustav Gefahr" })).ToBeVisibleAsync();
        Assert.Contains("#/c/", page.Url, StringComparison.Ordinal);
        // Opened: the alert is done, and the link says so if tapped again.
        await WaitUntilAsync(async () => (await System.Cluster.GetGrain<Contracts.IDutyGrain>(LocalSystemHost.Tenant).GetAlertsAsync())
            .All(a => !a.CitizenKey.EndsWith(citizen.Bsuid, StringComparison.Ordinal)));
        await bauhof.RemovePushDeviceAsync(new RemovePushDeviceRequest { DeviceId = "bauhof-handy" });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_duty_view_pauses_notifications_and_lets_a_supervisor_edit_the_rota_and_the_app_shell_says_when_it_is_offline()
    {
        // The agent is known to the rota once they opened the view.
        var agent = await fixture.SignedInPageAsync(1280, 900, "bauhof");
        await agent.GetByRole(AriaRole.Link, new() { Name = "Bereitschaft" }).ClickAsync();
        await Expect(agent.GetByRole(AriaRole.Heading, new() { Name = "Bereitschaft: Benachrichtigungen und Dienstplan" })).ToBeVisibleAsync();
        await Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Auf diesem Gerät einschalten" })).ToBeVisibleAsync();
        await Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Plan speichern" })).ToHaveCountAsync(0);
        var pause = agent.GetByLabel("Benachrichtigungen für mich pausieren (alle Geräte)");
        await pause.ClickAsync();
        await Expect(agent.GetByText("Ihre Benachrichtigungen sind pausiert.")).ToBeVisibleAsync();
        await Expect(pause).ToBeCheckedAsync();
        Assert.True((await System.Staff("staff-bauhof").GetNotificationSettingsAsync(new GetNotificationSettingsRequest())).Paused);
        await pause.ClickAsync();
        await Expect(agent.GetByText("Gespeichert.")).ToBeVisibleAsync();
        await Expect(pause).Not.ToBeCheckedAsync();
        await agent.ScreenshotAsync(new() { Path = Screenshot("duty-agent.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(agent, "duty (agent)", output);

        // Offline: the service worker serves the shell, which says so.
        await agent.Context.SetOfflineAsync(true);
        await agent.ReloadAsync();
        await Expect(agent.GetByText("Keine Verbindung zum Netz.", new() { Exact = false })).ToBeVisibleAsync();
        await agent.ScreenshotAsync(new() { Path = Screenshot("offline.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(agent, "offline", output);
        await agent.Context.SetOfflineAsync(false);
        await agent.Context.CloseAsync();

        var page = await fixture.SignedInPageAsync(1280, 900, "vorzimmer");
        await page.GetByRole(AriaRole.Link, new() { Name = "Bereitschaft" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Eintrag hinzufügen" }).ClickAsync();
        var rows = await page.Locator("table.rota tbody tr").CountAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await page.GetByLabel($"Eintrag {rows}: von").FillAsync($"{today.AddDays(30):yyyy-MM-dd}");
        await page.GetByLabel($"Eintrag {rows}: bis").FillAsync($"{today.AddDays(32):yyyy-MM-dd}");
        await page.GetByLabel($"Eintrag {rows}: Bereitschaft", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Bauhof" });
        await page.GetByLabel($"Eintrag {rows}: Vertretung").SelectOptionAsync(new SelectOptionValue { Label = "Vorzimmer" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan speichern" }).ClickAsync();
        await Expect(page.GetByText("Der Bereitschaftsplan ist gespeichert.")).ToBeVisibleAsync();
        var saved = await System.Staff("staff-vorzimmer", "supervisor").GetDutyRotaAsync(new GetDutyRotaRequest { Parent = Parent });
        Assert.Contains(saved.Shifts, s => s.FromDate == $"{today.AddDays(30):yyyy-MM-dd}" && s.StaffIds.SequenceEqual(["staff-bauhof", "staff-vorzimmer"]));
        await page.ScreenshotAsync(new() { Path = Screenshot("duty-supervisor.png"), FullPage = true });
        await AxeScan.AssertNoSeriousViolationsAsync(page, "duty (supervisor)", output);
        await page.Context.CloseAsync();
    }

    // The decrypted payload of the push about this conversation (other tests' alerts may ring the same device).
    private async Task<string> WaitForPushAboutAsync(PushService.Subscription device, StaffService.StaffServiceClient staff, string conversation)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTimeOffset.UtcNow < deadline)
        {
            foreach (var message in (await fixture.Push.ReceivedAsync(device))?.Messages ?? [])
            {
                var url = message.Payload.GetProperty("url").GetString()!;
                var resolved = await staff.ResolveAlertAsync(new ResolveAlertRequest { AlertId = url["/#/alarm/".Length..] }).ResponseAsync.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Conversation : null, TaskScheduler.Default);
                if (resolved == conversation)
                {
                    return message.Payload.GetRawText();
                }
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("No push about the conversation arrived within 20 seconds.");
    }

    // Runs a script in the inbox's service worker through the browser's DevTools protocol (Playwright for .NET has no
    // handle on service workers): attach to its target and send Runtime.evaluate there.
    // The worker of this page's browser context: other tests' contexts may have a worker of the same origin.
    private async Task EvaluateInServiceWorkerAsync(ICDPSession page, string expression)
    {
        var context = (await page.SendAsync("Target.getTargetInfo"))!.Value.GetProperty("targetInfo").GetProperty("browserContextId").GetString();
        var browser = await fixture.Browser.NewBrowserCDPSessionAsync();
        var targets = await browser.SendAsync("Target.getTargets");
        var worker = targets!.Value.GetProperty("targetInfos").EnumerateArray()
            .First(t => t.GetProperty("type").GetString() == "service_worker"
                && t.GetProperty("url").GetString()!.StartsWith(System.GatewayHttp.ToString(), StringComparison.Ordinal)
                && t.GetProperty("browserContextId").GetString() == context);
        var attached = await browser.SendAsync("Target.attachToTarget", new Dictionary<string, object> { ["targetId"] = worker.GetProperty("targetId").GetString()!, ["flatten"] = false });
        var session = attached!.Value.GetProperty("sessionId").GetString()!;
        var answered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        browser.Event("Target.receivedMessageFromTarget").OnEvent += (_, e) => answered.TrySetResult(e!.Value.GetProperty("message").GetString()!);
        var message = JsonSerializer.Serialize(new { id = 1, method = "Runtime.evaluate", @params = new { expression, awaitPromise = true } });
        await browser.SendAsync("Target.sendMessageToTarget", new Dictionary<string, object> { ["sessionId"] = session, ["message"] = message });
        var answer = await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(answer.Contains("exceptionDetails", StringComparison.Ordinal), answer);
        await browser.DetachAsync();
    }

    private static Task<string[]> ShownTitlesAsync(IPage page) =>
        page.EvaluateAsync<string[]>("async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(n => n.title)");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition was not met within 20 seconds.");
            await Task.Delay(200);
        }
    }
}
