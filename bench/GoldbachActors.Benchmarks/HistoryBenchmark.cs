using System.Diagnostics;
using System.Globalization;
using GoldbachActors.Contracts;
using GoldbachActors.Testing;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// The time to append one message to a citizen's conversation at history lengths 10, 1,000 and 10,000, on the real
/// silo against Azurite (grain state and history pages in Azure Table storage), called through the Orleans client as
/// the gateway calls it. Goal: within 1.2× of each other, because the hot state stays bounded.
/// </summary>
public static class HistoryBenchmark
{
    private static readonly int[] Lengths = [10, 1_000, 10_000];

    public static async Task<int> RunAsync(string[] args)
    {
        var samples = Arg(args, "--samples", 300);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"History benchmark: append one message at history lengths {string.Join(", ", Lengths)}; {samples} appends each, {Environment.ProcessorCount} cores"));
        await using var system = LocalSystemHost.Create();
        await system.StartAsync();
        var cluster = system.Cluster;
        var t0 = DateTimeOffset.UtcNow.AddDays(-1);

        // Length 10 is measured on many citizens (one append each keeps them near 10); the long ones on one citizen
        // each (300 appends change 1,000 or 10,000 by little).
        var groups = new List<(int Length, List<ICitizenGrain> Citizens)>();
        var seeding = Stopwatch.StartNew();
        foreach (var length in Lengths)
        {
            var count = length == 10 ? samples + 20 : 1;
            var citizens = Enumerable.Range(0, count)
                .Select(i => cluster.GetGrain<ICitizenGrain>(CitizenKey.Create(LocalSystemHost.Tenant, $"DE.hist{length}x{i}").GrainKey))
                .ToList();
            await Parallel.ForEachAsync(citizens, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (citizen, _) =>
            {
                for (var m = 0; m < length; m++)
                {
                    await citizen.ReceiveAsync(Message(citizen, m, t0.AddSeconds(m)));
                }
            });
            groups.Add((length, citizens));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seeded {count} citizen(s) with {length} messages ({seeding.Elapsed.TotalSeconds:F0} s so far)"));
        }
        var snapshot = await groups[^1].Citizens[0].GetConversationAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  the 10,000-message citizen: {snapshot!.ArchivedPages} archived pages, {snapshot.Inbound.Length} messages in the hot state"));

        // Rounds over the lengths in a random order each, so that Azurite's and the machine's drift (and whatever the
        // previous append left to do) hits all three alike; the first rounds warm up and are not counted.
        var timings = Lengths.ToDictionary(l => l, _ => new List<double>());
        var random = new Random(7);
        const int WarmUpRounds = 20;
        for (var round = -WarmUpRounds; round < samples; round++)
        {
            var order = groups.ToArray();
            random.Shuffle(order);
            foreach (var (length, citizens) in order)
            {
                var citizen = citizens[(round + WarmUpRounds) % citizens.Count];
                var message = Message(citizen, 100_000 + round, t0.AddHours(4).AddSeconds(round)); // newer than every seeded one
                var watch = Stopwatch.StartNew();
                await citizen.ReceiveAsync(message);
                if (round >= 0)
                {
                    timings[length].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| history length | appends | mean ms | median ms | p95 ms | mean vs. length 10 |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        var baseline = timings[10].Average();
        foreach (var length in Lengths)
        {
            var sorted = timings[length].Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {length:N0} | {sorted.Count} | {sorted.Average():F2} | {sorted[sorted.Count / 2]:F2} | {sorted[(int)(sorted.Count * 0.95)]:F2} | {sorted.Average() / baseline:F2}× |"));
        }
        var worst = Lengths.Max(length => timings[length].Average() / baseline);
        return Goals.Check((string.Create(CultureInfo.InvariantCulture, $"every history length within 1.2× of length 10 (worst {worst:F2}×)"), worst <= 1.2));
    }

    private static InboundMessage Message(ICitizenGrain citizen, int n, DateTimeOffset at) =>
        new($"wamid.{citizen.GetPrimaryKeyString().Replace('/', '.')}.{n}", at, "text",
            $"Meldung {n}: Die Straßenlaterne in der Hauptstraße flackert seit gestern Abend.", "+4915112345678", "Erika Mustermann");

    internal static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
