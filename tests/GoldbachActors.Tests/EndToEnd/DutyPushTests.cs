using GoldbachActors.Contracts;
using GoldbachActors.ServiceDefaults;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using RotaShift = GoldbachActors.StaffApi.V1.RotaShift;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// The duty phone rings: the silo pushes through the local push service, which verifies VAPID and decrypts the
/// aes128gcm payload with the subscription's keys, as a browser's push service and the browser would. The test
/// tenant has no office hours, so every hour is duty time; escalation runs every 3 seconds on real reminders.
/// </summary>
public sealed class DutyPushTests : IAsyncLifetime
{
    private const string Template = "bereitschaft_hinweis";
    private static readonly string Parent = $"tenants/{LocalSystem.Tenant}";
    private readonly LocalSystem _system = new();
    private PushService _push = null!;

    private StaffService.StaffServiceClient Leitung => _system.Staff("staff-leitung", StaffRoles.Supervisor);

    private StaffService.StaffServiceClient Dienst1 => _system.Staff("staff-dienst1");

    private StaffService.StaffServiceClient Dienst2 => _system.Staff("staff-dienst2");

    public async Task InitializeAsync()
    {
        _push = await PushService.StartAsync();
        foreach (var (key, value) in LocalDevelopment.PushSettings())
        {
            _system.SiloSettings.Add($"--{key}={value}");
        }
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Duty:EscalateAfter=00:00:03");
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Duty:FallbackTemplate:Name={Template}");
        _system.SiloSettings.Add("--Goldbach:Schedules:MinimumReminderPeriod=00:00:01");
        _system.SiloSettings.Add("--Goldbach:Push:AttemptTimeout=00:00:01");
        await _system.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _push.DisposeAsync();
    }

    // Each staff member signs in once (the rota may name them), with one subscribed device.
    private async Task<PushService.Subscription> DeviceOfAsync(StaffService.StaffServiceClient staff, string deviceId)
    {
        var settings = await staff.GetNotificationSettingsAsync(new GetNotificationSettingsRequest());
        Assert.Equal(LocalDevelopment.VapidPublicKey, settings.VapidPublicKey);
        var subscription = await _push.SubscribeAsync(settings.VapidPublicKey);
        var registered = await staff.RegisterPushDeviceAsync(new RegisterPushDeviceRequest
        {
            DeviceId = deviceId,
            Endpoint = subscription.Endpoint,
            P256Dh = subscription.P256dh,
            Auth = subscription.Auth,
            Label = "Diensthandy",
        });
        Assert.Equal(("127.0.0.1", "Diensthandy"), (registered.Devices.Single(d => d.DeviceId == deviceId).PushService, registered.Devices.Single(d => d.DeviceId == deviceId).Label));
        return subscription;
    }

    private async Task RotaAsync(params string[] staff)
    {
        var current = await Leitung.GetDutyRotaAsync(new GetDutyRotaRequest { Parent = Parent });
        var today = DateOnly.FromDateTime(TownTime.Local(DateTimeOffset.UtcNow).DateTime);
        var rota = await Leitung.UpdateDutyRotaAsync(new UpdateDutyRotaRequest
        {
            Parent = Parent,
            Version = current.Version,
            Shifts = { new RotaShift { FromDate = $"{today.AddDays(-1):yyyy-MM-dd}", ToDate = $"{today.AddDays(1):yyyy-MM-dd}", StaffIds = { staff } } },
        });
        Assert.Equal(staff, rota.OnDuty);
    }

    [Fact]
    public async Task An_urgent_message_rings_the_one_on_duty_without_personal_data_then_again_then_the_next_then_the_supervisors_until_opened()
    {
        var leitung = await DeviceOfAsync(Leitung, "leitung-pc");
        var dienst1 = await DeviceOfAsync(Dienst1, "dienst1-handy");
        var dienst2 = await DeviceOfAsync(Dienst2, "dienst2-handy");
        await RotaAsync("staff-dienst1", "staff-dienst2");

        var phone = "+4915170001234";
        await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hilfe, es brennt in der Scheune am Ortsrand!", name: "Erika Mustermann"));

        var first = (await _push.WaitForAsync(dienst1, 1, TimeSpan.FromSeconds(10))).Messages[0];
        var payload = first.Payload;
        Assert.Equal("Dringend: neue Nachricht (Kategorie Sonstiges)", payload.GetProperty("title").GetString());
        Assert.Equal(("high", true), (first.Urgency, payload.GetProperty("urgent").GetBoolean()));
        var raw = payload.GetRawText();
        foreach (var personal in new[] { "4915170001234", "1234", "Erika", "Mustermann", "brennt", "Scheune" })
        {
            Assert.DoesNotContain(personal, raw, StringComparison.OrdinalIgnoreCase);
        }
        var url = payload.GetProperty("url").GetString()!;
        Assert.StartsWith("/#/alarm/", url, StringComparison.Ordinal);
        Assert.Equal(payload.GetProperty("tag").GetString(), first.Topic);
        // The citizen is told at once to call 112 or 110 (the office hours do not matter).
        await WaitUntilAsync(() => Task.FromResult(_system.SentMessages.List(phone).Any(m => m.Text?.Contains("sofort die 112", StringComparison.Ordinal) == true)));

        // Tapping it opens the conversation after sign-in: the alert's id resolves for staff of the town.
        var resolved = await Dienst1.ResolveAlertAsync(new ResolveAlertRequest { AlertId = url["/#/alarm/".Length..] });
        Assert.StartsWith($"{Parent}/conversations/", resolved.Conversation, StringComparison.Ordinal);

        // Nobody opens it: again to the one on duty, then the next on the rota, then the supervisors.
        var again = await _push.WaitForAsync(dienst1, 2, TimeSpan.FromSeconds(15));
        Assert.Equal("Dringend und noch nicht geöffnet (Kategorie Sonstiges)", again.Messages[1].Payload.GetProperty("title").GetString());
        Assert.InRange(again.Messages[1].At - first.At, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(8));
        await _push.WaitForAsync(dienst2, 1, TimeSpan.FromSeconds(15));
        await _push.WaitForAsync(leitung, 1, TimeSpan.FromSeconds(15));

        // Opened: the alert ends, and nothing rings any more.
        await Dienst2.GetConversationAsync(new GetConversationRequest { Name = resolved.Conversation });
        var duty = _system.Cluster.GetGrain<IDutyGrain>(LocalSystem.Tenant);
        await WaitUntilAsync(async () => (await duty.GetAlertsAsync()).IsEmpty);
        var gone = await Assert.ThrowsAsync<RpcException>(() => Dienst1.ResolveAlertAsync(new ResolveAlertRequest { AlertId = url["/#/alarm/".Length..] }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal((2, 1, 1), ((await _push.ReceivedAsync(dienst1))!.Messages.Length, (await _push.ReceivedAsync(dienst2))!.Messages.Length, (await _push.ReceivedAsync(leitung))!.Messages.Length));
    }

    [Fact]
    public async Task A_new_conversation_rings_the_first_on_duty_who_is_not_paused_once_however_often_the_citizen_writes()
    {
        var leitung = await DeviceOfAsync(Leitung, "leitung-pc");
        var dienst1 = await DeviceOfAsync(Dienst1, "dienst1-handy");
        var dienst2 = await DeviceOfAsync(Dienst2, "dienst2-handy");
        await RotaAsync("staff-dienst1", "staff-dienst2");
        var paused = await Dienst1.UpdateNotificationPreferencesAsync(new UpdateNotificationPreferencesRequest { Paused = true });
        Assert.True(paused.Paused);

        var phone = "+4915170005678";
        for (var i = 0; i < 6; i++)
        {
            await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, $"Die Schaukel am Spielplatz ist kaputt ({i})"));
        }
        var received = await _push.WaitForAsync(dienst2, 1, TimeSpan.FromSeconds(10));
        Assert.Equal("Neue Nachricht (Kategorie Spielplatz)", received.Messages[0].Payload.GetProperty("title").GetString());
        Assert.Equal("normal", received.Messages[0].Urgency);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Single((await _push.ReceivedAsync(dienst2))!.Messages);
        Assert.Empty((await _push.ReceivedAsync(dienst1))!.Messages);
        Assert.Empty((await _push.ReceivedAsync(leitung))!.Messages);
    }

    [Fact]
    public async Task An_expired_subscription_is_deleted_and_a_failing_push_service_falls_back_to_one_WhatsApp_notice_per_conversation()
    {
        var dienst1 = await DeviceOfAsync(Dienst1, "dienst1-handy");
        await RotaAsync("staff-dienst1");
        await _push.SetModeAsync(dienst1, 410);
        await _system.PostWebhookAsync(LocalSystem.TextWebhook("+4915170009012", "Wann hat der Wertstoffhof offen?"));
        await WaitUntilAsync(async () => (await Dienst1.GetNotificationSettingsAsync(new GetNotificationSettingsRequest())).Devices.Count == 0);
        Assert.Null(await _push.ReceivedAsync(dienst1));

        // A push service that keeps failing: retried with backoff, then the WhatsApp notice to the duty number, once.
        var failing = await DeviceOfAsync(Dienst1, "dienst1-tablet");
        await _push.SetModeAsync(failing, 500);
        await Dienst1.UpdateNotificationPreferencesAsync(new UpdateNotificationPreferencesRequest { DutyNumber = LocalSystem.StaffNumber });
        await _system.PostWebhookAsync(LocalSystem.TextWebhook("+4915170003456", "Unfall an der Kreuzung, ein Auto liegt im Graben"));
        await WaitUntilAsync(() => Task.FromResult(Notices() == 1));
        var rejected = (await _push.ReceivedAsync(failing))!.Rejections;
        Assert.True(rejected.Length >= 3, $"3 attempts expected, {rejected.Length} seen");
        Assert.All(rejected, status => Assert.Equal(500, status));
        // The escalation steps ring again and fail again; the notice was already sent for this conversation.
        await WaitUntilAsync(async () => (await _system.Cluster.GetGrain<IDutyGrain>(LocalSystem.Tenant).GetAlertsAsync()).Any(a => a.Step >= 2));
        Assert.Equal(1, Notices());
        var notice = _system.SentMessages.List(null).Single(m => m.Type == "template");
        Assert.Equal(LocalSystem.StaffNumber.TrimStart('+'), notice.To?.TrimStart('+'));
    }

    [Fact]
    public async Task Malformed_subscriptions_and_rota_changes_the_caller_may_not_make_are_refused_in_German()
    {
        await Dienst1.GetNotificationSettingsAsync(new GetNotificationSettingsRequest());
        var good = await _push.SubscribeAsync(LocalDevelopment.VapidPublicKey);
        async Task<RpcException> Refused(RegisterPushDeviceRequest request) =>
            await Assert.ThrowsAsync<RpcException>(() => Dienst1.RegisterPushDeviceAsync(request).ResponseAsync);
        var notHttps = await Refused(new RegisterPushDeviceRequest { DeviceId = "a", Endpoint = "http://push.example/x", P256Dh = good.P256dh, Auth = good.Auth });
        Assert.Equal((StatusCode.InvalidArgument, "Die Adresse des Push-Dienstes ist ungültig: erwartet wird eine https-Adresse."),
            (notHttps.StatusCode, notHttps.Status.Detail.Split(" (Parameter")[0]));
        var badKey = await Refused(new RegisterPushDeviceRequest { DeviceId = "a", Endpoint = good.Endpoint, P256Dh = good.Auth, Auth = good.Auth });
        Assert.Contains("p256dh", badKey.Status.Detail, StringComparison.Ordinal);
        var badAuth = await Refused(new RegisterPushDeviceRequest { DeviceId = "a", Endpoint = good.Endpoint, P256Dh = good.P256dh, Auth = "kurz" });
        Assert.Contains("auth", badAuth.Status.Detail, StringComparison.Ordinal);
        var noDevice = await Refused(new RegisterPushDeviceRequest { DeviceId = "", Endpoint = good.Endpoint, P256Dh = good.P256dh, Auth = good.Auth });
        Assert.Contains("Gerätekennung", noDevice.Status.Detail, StringComparison.Ordinal);
        var notStaffNumber = await Assert.ThrowsAsync<RpcException>(() => Dienst1.UpdateNotificationPreferencesAsync(
            new UpdateNotificationPreferencesRequest { DutyNumber = "+4915112345678" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, notStaffNumber.StatusCode);
        Assert.Empty((await Dienst1.GetNotificationSettingsAsync(new GetNotificationSettingsRequest())).Devices);

        var rota = await Leitung.GetDutyRotaAsync(new GetDutyRotaRequest { Parent = Parent });
        var shift = new RotaShift { FromDate = "2026-12-24", ToDate = "2026-12-26", StaffIds = { "staff-dienst1" } };
        var agent = await Assert.ThrowsAsync<RpcException>(() => Dienst1.UpdateDutyRotaAsync(
            new UpdateDutyRotaRequest { Parent = Parent, Version = rota.Version, Shifts = { shift } }).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "Den Bereitschaftsplan ändern nur Vorgesetzte."), (agent.StatusCode, agent.Status.Detail));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Leitung.UpdateDutyRotaAsync(new UpdateDutyRotaRequest
        {
            Parent = Parent,
            Version = rota.Version,
            Shifts = { new RotaShift { FromDate = "2026-12-24", ToDate = "2026-12-26", StaffIds = { "staff-niemand" } } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        var reversed = await Assert.ThrowsAsync<RpcException>(() => Leitung.UpdateDutyRotaAsync(new UpdateDutyRotaRequest
        {
            Parent = Parent,
            Version = rota.Version,
            Shifts = { new RotaShift { FromDate = "2026-12-26", ToDate = "2026-12-24", StaffIds = { "staff-dienst1" } } },
        }).ResponseAsync);
        Assert.Contains("endet vor seinem Beginn", reversed.Status.Detail, StringComparison.Ordinal);
        var saved = await Leitung.UpdateDutyRotaAsync(new UpdateDutyRotaRequest { Parent = Parent, Version = rota.Version, Shifts = { shift } });
        Assert.Equal(rota.Version + 1, saved.Version);
        var stale = await Assert.ThrowsAsync<RpcException>(() => Leitung.UpdateDutyRotaAsync(
            new UpdateDutyRotaRequest { Parent = Parent, Version = rota.Version, Shifts = { shift } }).ResponseAsync);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        var otherTown = await Assert.ThrowsAsync<RpcException>(() => _system.Staff("staff-x", StaffRoles.Supervisor, "999999")
            .GetDutyRotaAsync(new GetDutyRotaRequest { Parent = Parent }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, otherTown.StatusCode);
    }

    private int Notices() => _system.SentMessages.List(null).Count(m => m.Type == "template" && m.Body.ToJsonString().Contains(Template, StringComparison.Ordinal));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition was not met within 20 seconds.");
            await Task.Delay(100);
        }
    }
}
