using System.Diagnostics;
using System.Globalization;
using GoldbachActors.Contracts;
using GoldbachActors.ServiceDefaults;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.WhatsAppSimulator;
using RotaShift = GoldbachActors.StaffApi.V1.RotaShift;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// The duty phone under load: new conversations arrive at a steady rate out of office hours (the bench tenant has
/// none), each rings the one on duty once, through the silo's Web Push to the local push service (VAPID verified,
/// payload decrypted). Printed: webhook to the push service's receipt (p50, p99, max), and the pushes that reached
/// staff who are paused, off duty or supervisors (all must be 0). Goals: p99 under 2 s, every conversation rung once.
/// </summary>
public static class DutyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var conversations = HistoryBenchmark.Arg(args, "--conversations", 500);
        var perSecond = HistoryBenchmark.Arg(args, "--per-second", 50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Duty benchmark: {conversations:N0} new conversations at {perSecond}/s out of hours, each rings the one on duty ({Environment.ProcessorCount} cores)"));
        await using var push = await PushService.StartAsync();
        await using var system = LocalSystemHost.Create();
        system.SiloSettings.AddRange(LocalDevelopment.PushSettings().Select(s => $"--{s.Key}={s.Value}"));
        await system.StartAsync();

        // On duty: "dienst" (the first on the rota, "pausiert", paused); "frei" is off duty; "leitung" supervises.
        var devices = new Dictionary<string, PushService.Subscription>(StringComparer.Ordinal);
        foreach (var (staff, role) in new[] { ("staff-dienst", StaffRoles.Agent), ("staff-pausiert", StaffRoles.Agent), ("staff-frei", StaffRoles.Agent), ("staff-leitung", StaffRoles.Supervisor) })
        {
            var client = system.Staff(staff, role);
            await client.GetNotificationSettingsAsync(new GetNotificationSettingsRequest());
            var device = await push.SubscribeAsync(LocalDevelopment.VapidPublicKey);
            await client.RegisterPushDeviceAsync(new RegisterPushDeviceRequest { DeviceId = staff, Endpoint = device.Endpoint, P256Dh = device.P256dh, Auth = device.Auth });
            devices[staff] = device;
        }
        await system.Staff("staff-pausiert").UpdateNotificationPreferencesAsync(new UpdateNotificationPreferencesRequest { Paused = true });
        var today = DateOnly.FromDateTime(TownTime.Local(DateTimeOffset.UtcNow).DateTime);
        await system.Staff("staff-leitung", StaffRoles.Supervisor).UpdateDutyRotaAsync(new UpdateDutyRotaRequest
        {
            Parent = $"tenants/{LocalSystemHost.Tenant}",
            Shifts = { new RotaShift { FromDate = $"{today.AddDays(-1):yyyy-MM-dd}", ToDate = $"{today.AddDays(1):yyyy-MM-dd}", StaffIds = { "staff-pausiert", "staff-dienst" } } },
        });

        // Warm-up: one conversation rings once before the clock starts.
        using (await system.PostWebhookAsync(LocalSystemHost.TextWebhook("+4915400000000", "Hallo")))
        {
        }
        await push.WaitForAsync(devices["staff-dienst"], 1, TimeSpan.FromSeconds(30));

        var phones = Enumerable.Range(1, conversations).Select(i => $"+49154{i:D8}").ToList();
        var posted = new DateTimeOffset[conversations];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, conversations), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var due = TimeSpan.FromSeconds(i / (double)perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }
            posted[i] = DateTimeOffset.UtcNow;
            using var response = await system.PostWebhookAsync(LocalSystemHost.TextWebhook(phones[i], "Die Straßenlaterne ist ausgefallen"), waitUntilRecorded: false);
        });
        var sent = clock.Elapsed;
        var received = await push.WaitForAsync(devices["staff-dienst"], conversations + 1, TimeSpan.FromSeconds(60 + conversations / 10.0));

        // Which conversation each push was about: its alert's citizen (the alerts are still open: nobody opened them).
        var alerts = (await system.Cluster.GetGrain<IDutyGrain>(LocalSystemHost.Tenant).GetAlertsAsync()).ToDictionary(a => a.Id, a => a.CitizenKey);
        var postedBy = phones.Select((p, i) => (Key: $"{LocalSystemHost.Tenant}/{CitizenPhoneEndpoints.BusinessScopedUserIdFor(p.TrimStart('+'))}", At: posted[i]))
            .ToDictionary(x => x.Key, x => x.At);
        var latencies = received.Messages
            .Select(m => alerts.GetValueOrDefault(m.Payload.GetProperty("url").GetString()!["/#/alarm/".Length..]))
            .Zip(received.Messages, (key, m) => key is not null && postedBy.TryGetValue(key, out var at) ? (m.At - at).TotalMilliseconds : double.NaN)
            .Where(ms => !double.IsNaN(ms)).Order().ToList();
        var rungTwice = received.Messages.GroupBy(m => m.Topic).Count(g => g.Count() > 1);
        var elsewhere = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var staff in new[] { "staff-pausiert", "staff-frei", "staff-leitung" })
        {
            elsewhere[staff] = (await push.ReceivedAsync(devices[staff]))?.Messages.Length ?? 0;
        }
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| webhooks sent | {conversations:N0} in {sent.TotalSeconds:F1} s ({conversations / sent.TotalSeconds:F1}/s) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| pushes to the one on duty, matched to their webhook | {latencies.Count:N0} (rung twice: {rungTwice}) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| webhook → push service receipt | p50 {Percentile(0.5):F0} ms, p99 {Percentile(0.99):F0} ms, max {latencies.LastOrDefault():F0} ms |"));
        Console.WriteLine($"| pushes to staff paused / off duty / supervisors | {elsewhere["staff-pausiert"]} / {elsewhere["staff-frei"]} / {elsewhere["staff-leitung"]} |");
        return Goals.Check(
            ("webhook to push receipt p99 < 2 s", Percentile(0.99) < 2000),
            ("every conversation rung once", latencies.Count == conversations && rungTwice == 0),
            ("no push to staff who are paused, off duty or supervisors (not needed)", elsewhere.Values.All(n => n == 0)));
    }
}
