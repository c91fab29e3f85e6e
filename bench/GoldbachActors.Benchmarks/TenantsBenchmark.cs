using System.Diagnostics;
using System.Globalization;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// Many towns on one cluster: N tenants (default 30) on three silo processes, each tenant with its own burst of new
/// citizens' messages, all at once (interleaved, 32 senders). Per tenant: when its last message is listed in its inbox
/// through the staff API (the inbox grain is the tenant's hot spot), printed as percentiles over the tenants, and
/// the storage round trips of the whole run. Loss and duplicates are checked for every tenant.
/// </summary>
public static class TenantsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tenants = HistoryBenchmark.Arg(args, "--tenants", 30);
        var citizens = HistoryBenchmark.Arg(args, "--citizens-per-tenant", 100);
        var concurrency = HistoryBenchmark.Arg(args, "--concurrency", 32);
        var total = tenants * citizens;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tenants benchmark: {tenants} tenants × {citizens} new citizens = {total} signed webhooks, 3 silo processes, {concurrency} senders, {Environment.ProcessorCount} cores"));
        var ids = Enumerable.Range(0, tenants).Select(i => i == 0 ? LocalSystemHost.Tenant : string.Create(CultureInfo.InvariantCulture, $"2000000000{i:D5}")).ToList();
        await using var system = LocalSystemHost.Create();
        foreach (var id in ids.Skip(1))
        {
            string[] settings =
            [
                $"--Goldbach:Tenants:{id}:Name=Gemeinde {id[^5..]}",
                $"--Goldbach:Tenants:{id}:AcknowledgementText=Danke für Ihre Nachricht an die Gemeinde {id[^5..]}.",
            ];
            system.SiloSettings.AddRange(settings);
            system.GatewaySettings.AddRange(settings);
        }
        await system.StartAsync();
        await system.StartSiloProcessAsync();
        await system.AddSiloProcessAsync();
        await system.AddSiloProcessAsync();
        using var trips = new StorageTrips();

        // Warm-up: one message per tenant (activates each tenant's inbox, throughput and settings grains).
        foreach (var (id, t) in ids.Select((id, t) => (id, t)))
        {
            var citizen = new Citizen(string.Create(CultureInfo.InvariantCulture, $"+4915{t:D3}9999999"));
            using var response = await system.PostWebhookAsync(Payloads.Envelope([citizen], [citizen.From($"wamid.warm{t}") + ",\"type\":\"text\",\"text\":{\"body\":\"x\"}"], tenant: id));
        }
        await Task.Delay(TimeSpan.FromSeconds(3));

        // The burst: message i goes to tenant i % N, so that every tenant's burst runs at the same time.
        var firstSent = new long[tenants];
        using var http = new HttpClient();
        async Task<long> SilosAsync() => (await Task.WhenAll(system.SiloProcesses.Select(s => StorageTrips.ScrapeAsync(http, s.Http)))).Sum();
        var before = trips.Snapshot();
        var silosBefore = await SilosAsync();
        var start = Stopwatch.GetTimestamp();
        var intake = await LoadRun.RunAsync("webhook intake, all tenants", total, concurrency, async i =>
        {
            var t = i % tenants;
            var citizen = new Citizen(string.Create(CultureInfo.InvariantCulture, $"+4917{t:D3}{i / tenants:D7}"));
            Interlocked.CompareExchange(ref firstSent[t], Stopwatch.GetTimestamp(), 0);
            using var response = await system.PostWebhookAsync(
                Payloads.Envelope([citizen], [citizen.From($"wamid.tenants{i}") + $",\"type\":\"text\",\"text\":{{\"body\":\"Meldung {i}\"}}"], tenant: ids[t]),
                waitUntilRecorded: false);
            return LoadRun.IsOk(response);
        });

        // Per tenant: poll its inbox through the staff API until all its citizens (and the warm-up's) are listed.
        var listedAfter = new TimeSpan[tenants];
        var counts = new int[tenants];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        await Task.WhenAll(ids.Select(async (id, t) =>
        {
            var staff = system.Staff("bench", StaffRoles.Supervisor, id);
            while (DateTime.UtcNow < deadline)
            {
                counts[t] = await CountAsync(staff, id);
                if (counts[t] >= citizens + 1)
                {
                    listedAfter[t] = Stopwatch.GetElapsedTime(firstSent[t]);
                    return;
                }
                await Task.Delay(200);
            }
            listedAfter[t] = TimeSpan.MaxValue;
        }));
        var all = Stopwatch.GetElapsedTime(start);
        // Storage calls settle a little after the last listing (the "sent" writes): counted 7 s later.
        await Task.Delay(TimeSpan.FromSeconds(7));
        var between = StorageTrips.Between(before, trips.Snapshot());
        var silosTrips = await SilosAsync() - silosBefore;
        var tripsPerMessage = (between.Sum(p => p.Count) + silosTrips) / (double)total;
        var missing = ids.Select((_, t) => Math.Max(0, citizens + 1 - counts[t])).Sum();
        var extra = ids.Select((_, t) => Math.Max(0, counts[t] - citizens - 1)).Sum();
        var sorted = listedAfter.Where(l => l != TimeSpan.MaxValue).Select(l => l.TotalSeconds).Order().ToArray();

        Console.WriteLine();
        Console.WriteLine("| run | requests | succeeded | per second | p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(intake.Row());
        Console.WriteLine();
        Console.WriteLine("| tenants | citizens each | last message listed, per tenant: p50 | p90 | max | all tenants done | end to end /s | storage round trips per message |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {tenants} | {citizens} | {Pick(sorted, 0.5):F1} s | {Pick(sorted, 0.9):F1} s | {(sorted.Length > 0 ? sorted[^1] : double.NaN):F1} s | {all.TotalSeconds:F1} s | {total / all.TotalSeconds:F0} | {tripsPerMessage:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  storage: silos {silosTrips:N0}; gateway ") + string.Join(", ", between.Take(8).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.What} {p.Count:N0}"))));
        Console.WriteLine("  per tenant (s): " + string.Join(" ", listedAfter.Select(l => l == TimeSpan.MaxValue ? "–" : l.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture))));
        return Goals.Check(
            ($"every tenant's messages listed ({missing} missing)", missing == 0 && sorted.Length == tenants),
            ($"no conversation twice ({extra} extra)", extra == 0),
            (string.Create(CultureInfo.InvariantCulture, $"acknowledged p99 < 250 ms ({intake.P99Ms:F1} ms)"), intake.P99Ms < 250));
    }

    private static double Pick(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<int> CountAsync(StaffService.StaffServiceClient staff, string tenant)
    {
        var count = 0;
        var token = "";
        do
        {
            var page = await staff.ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{tenant}", PageSize = 500, PageToken = token });
            count += page.Conversations.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return count;
    }
}
