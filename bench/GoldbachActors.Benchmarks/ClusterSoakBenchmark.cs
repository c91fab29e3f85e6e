using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using GoldbachActors.Testing;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// Three silos (processes) under as much webhook load as the machine takes for N minutes (default 10): does the tuned
/// failure detection (probes 2 s apart, 3 missed, 2 votes; see SiloHostingExtensions) ever suspect a healthy silo?
/// The membership table is read every 5 s for suspicions and deaths. Goal: none. The failover time itself is printed
/// by the cluster test (tests/…/ClusterTests.cs).
/// </summary>
public static class ClusterSoakBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = HistoryBenchmark.Arg(args, "--minutes", 10);
        var concurrency = HistoryBenchmark.Arg(args, "--concurrency", 16);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Cluster soak: 3 silo processes, {concurrency} webhook senders for {minutes} min, {Environment.ProcessorCount} cores"));
        await using var system = LocalSystemHost.Create();
        await system.StartAsync();
        await system.StartSiloProcessAsync();
        await system.AddSiloProcessAsync();
        await system.AddSiloProcessAsync();
        var membership = new TableServiceClient(system.Storage.ConnectionString).GetTableClient("OrleansSiloInstances");

        // The three silo processes, as the table lists them now (the in-process silo they replaced has left as Dead).
        var watched = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var silo in membership.QueryAsync<TableEntity>())
        {
            if (silo.GetString("Status") == "Active")
            {
                watched.Add(silo.RowKey);
            }
        }
        Console.WriteLine($"  watching {watched.Count} active silos");
        var end = DateTime.UtcNow.AddMinutes(minutes);
        var sent = 0;
        var failed = 0;
        var suspicions = new HashSet<string>(StringComparer.Ordinal);
        var deaths = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var load = Enumerable.Range(0, concurrency).Select(async sender =>
        {
            var n = 0;
            while (DateTime.UtcNow < end)
            {
                var phone = string.Create(CultureInfo.InvariantCulture, $"+49151{sender:D2}{n++ % 500:D6}");
                try
                {
                    using var response = await system.PostWebhookAsync(LocalSystemHost.TextWebhook(phone, "Die Laterne flackert"), waitUntilRecorded: false);
                    Interlocked.Increment(ref LoadRun.IsOk(response) ? ref sent : ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }).ToList();
        while (DateTime.UtcNow < end)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            await foreach (var silo in membership.QueryAsync<TableEntity>())
            {
                if (!watched.Contains(silo.RowKey))
                {
                    continue;
                }
                var name = $"{silo.GetString("Address")}:{silo.GetString("Port")}";
                if (!string.IsNullOrEmpty(silo.GetString("SuspectingSilos")))
                {
                    suspicions.Add(name);
                }
                if (silo.GetString("Status") is { } status && status != "Active" && status != "Joining" && status != "Created")
                {
                    deaths.Add($"{name} ({status})");
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {clock.Elapsed.TotalMinutes:F1} min: {sent:N0} webhooks accepted ({sent / clock.Elapsed.TotalSeconds:F0}/s), {failed} refused, {suspicions.Count} silos suspected, {deaths.Count} declared dead"));
        }
        await Task.WhenAll(load);

        Console.WriteLine();
        Console.WriteLine("| silos | minutes | webhooks accepted | per second | refused | silos suspected | silos declared dead |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| 3 | {minutes} | {sent:N0} | {sent / clock.Elapsed.TotalSeconds:F0} | {failed} | {suspicions.Count} | {deaths.Count} |"));
        foreach (var death in deaths)
        {
            Console.WriteLine($"  declared dead: {death}");
        }
        var met = suspicions.Count == 0 && deaths.Count == 0;
        Console.WriteLine(met ? "Goal met: no healthy silo was suspected." : "Goal missed: a healthy silo was suspected.");
        return met ? 0 : 1;
    }
}
