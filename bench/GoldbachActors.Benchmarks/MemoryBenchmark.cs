using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using GoldbachActors.Contracts;
using GoldbachActors.Grains;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// The memory of 100,000 activated, idle citizen grains on one silo (goal: under 1 GiB). Storage is replaced here by
/// a provider that hands every grain a typical citizen's state (three messages, an acknowledgement, triage, events)
/// and drops writes: what is measured is what the activations hold, not a storage emulator's cache.
/// </summary>
public static class MemoryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = HistoryBenchmark.Arg(args, "--grains", 100_000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Memory benchmark: {count:N0} activated idle citizen grains on one silo"));

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(LocalDevelopment.TenantConfiguration().Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WhatsApp:GraphApi:BaseUrl"] = "http://127.0.0.1:9/",
            ["WhatsApp:GraphApi:AccessToken"] = "unused",
            ["Telemetry:Redaction:Key"] = GoldbachActors.Testing.LocalSystemHost.RedactionKey,
        });
        // The erasure tombstones hash identities with the redaction key, as in every host.
        builder.AddGoldbachRedaction();
        // Never contacted: the idle grains neither write nor publish.
        builder.Services.AddSingleton(new TableServiceClient("UseDevelopmentStorage=true"));
        builder.Services.AddSingleton(new BlobServiceClient("UseDevelopmentStorage=true"));
        builder.Services.AddGoldbachGrains(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePortNumber(), FreePortNumber());
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Citizens, (_, _) => new TypicalCitizenStorage());
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var tenant = LocalDevelopment.TenantId;

        await ActivateAsync(grains, tenant, "warm", 2_000);
        var before = Measure();
        var watch = Stopwatch.StartNew();
        await ActivateAsync(grains, tenant, "idle", count);
        var elapsed = watch.Elapsed;
        var after = Measure();

        var perGrain = (after.Managed - before.Managed) / (double)count;
        Console.WriteLine();
        Console.WriteLine("| grains | activation time | managed heap after (live) | growth per grain | process working set | projected for 100,000 |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {count:N0} | {elapsed.TotalSeconds:F1} s | {after.Managed / 1048576.0:F0} MiB | {perGrain / 1024:F1} KiB | {after.WorkingSet / 1048576.0:F0} MiB | {(before.Managed + (perGrain * 100_000)) / 1048576.0:F0} MiB |"));
        await host.StopAsync();
        var projected = before.Managed + (perGrain * 100_000);
        return Goals.Check((string.Create(CultureInfo.InvariantCulture, $"100,000 grains under 1 GiB ({projected / 1024 / 1024:F0} MiB projected)"), projected < 1024.0 * 1024 * 1024));
    }

    private static async Task ActivateAsync(IGrainFactory grains, string tenant, string prefix, int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var citizen = grains.GetGrain<ICitizenGrain>(CitizenKey.Create(tenant, $"DE.{prefix}{i}").GrainKey);
            if (await citizen.GetConversationAsync() is null)
            {
                throw new InvalidOperationException("The typical state was not loaded.");
            }
        });
    }

    private static (long Managed, long WorkingSet) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static int FreePortNumber() => GoldbachActors.Testing.FreePort.Next();

    /// <summary>Gives every citizen grain its own copy of a typical idle conversation; writes are dropped.</summary>
    private sealed class TypicalCitizenStorage : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState is IGrainState<CitizenState> citizen)
            {
                citizen.State = Typical(grainId.Key.ToString()!);
                citizen.ETag = "1";
                citizen.RecordExists = true;
            }
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        private static CitizenState Typical(string key)
        {
            var at = new DateTimeOffset(2026, 6, 6, 18, 30, 0, TimeSpan.Zero);
            var rules = new GoldbachActors.Grains.Domain.ConversationRules(TimeSpan.FromDays(3), TimeSpan.FromMinutes(10));
            var state = new CitizenState();
            var texts = new[]
            {
                "Guten Abend, auf dem Spielplatz am Weiher ist die Schaukel kaputt, die Kette ist gerissen.",
                "Hier noch ein Foto davon.",
                "Danke für die schnelle Antwort!",
            };
            for (var i = 0; i < texts.Length; i++)
            {
                state.TryRecord(new InboundMessage($"wamid.{key}.{i}", at.AddMinutes(i * 5), "text", texts[i], "+4915112345678", "Erika Mustermann"), at, rules);
            }
            state.ApplyTriage(new GoldbachActors.Grains.Domain.TriageResult("Spielplatz", false), at, at.AddDays(2));
            var ack = state.QueueAcknowledgementIfDue(LocalDevelopment.OutOfHoursAcknowledgementText.Replace("{next}", "Montag, 8. Juni ab 8:00 Uhr", StringComparison.Ordinal), at, rules)!;
            state.Update(ack with { State = DeliveryState.Read, WhatsAppMessageId = $"wamid.out.{key}" });
            return state;
        }
    }
}
