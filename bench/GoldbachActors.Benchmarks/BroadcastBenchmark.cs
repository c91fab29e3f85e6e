using System.Globalization;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// A broadcast to N list members at the business number's throughput: members added through the staff API (consent
/// recorded, never wrote: every one gets the list's template), then one SendBroadcast; timed from the call to the
/// stand-in's acceptance of the last message, with status webhooks on (as Meta sends them). Goal for 10,000 members
/// at 80/s: within 5 % of 125 s.
/// </summary>
public static class BroadcastBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var members = HistoryBenchmark.Arg(args, "--members", 10_000);
        var limit = HistoryBenchmark.Arg(args, "--per-second", 80);
        var ideal = TimeSpan.FromSeconds(members / (double)limit);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Broadcast benchmark: {members:N0} members at {limit}/s (ideal {ideal.TotalSeconds:F1} s, {Environment.ProcessorCount} cores, status webhooks {(args.Contains("--no-status-webhooks") ? "off" : "on")})"));
        await using var system = LocalSystemHost.Create();
        system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystemHost.Tenant}:MessagesPerSecond={limit}");
        await system.StartAsync();
        system.Meta.MessagesPerSecond = limit;
        // Meta reports sent, delivered and read for every message: on by default, as in production.
        system.Meta.StatusWebhooks = !args.Contains("--no-status-webhooks");
        var supervisor = system.Staff("bench", StaffRoles.Supervisor);
        const string List = $"tenants/{LocalSystemHost.Tenant}/lists/kitzrettung";

        var setup = System.Diagnostics.Stopwatch.StartNew();
        var phones = Enumerable.Range(0, members).Select(i => $"+49152{i:D8}").ToList();
        await Parallel.ForEachAsync(phones, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (phone, cancellation) =>
            await supervisor.AddListMemberAsync(new AddListMemberRequest { List = List, PhoneNumber = phone, ConsentNote = "Benchmark" }, cancellationToken: cancellation));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{members:N0} members added in {setup.Elapsed.TotalSeconds:F1} s ({members / setup.Elapsed.TotalSeconds:F0}/s)"));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var content = new BroadcastContent();
        content.Texts["de"] = "Morgen früh Mahd am Hirtenweg: Treffpunkt 5 Uhr am Feuerwehrhaus.";
        var start = DateTimeOffset.UtcNow;
        var broadcast = await supervisor.SendBroadcastAsync(new SendBroadcastRequest { List = List, Title = "Benchmark", Content = content, RequestId = "bench" });
        var answered = DateTimeOffset.UtcNow - start;
        var mine = phones.ToHashSet();
        var deadline = DateTime.UtcNow + (ideal * 2) + TimeSpan.FromMinutes(2);
        List<DateTimeOffset> accepted;
        while (true)
        {
            accepted = [.. system.SentMessages.List(null).Where(m => m.To is not null && mine.Contains(m.To) && m.AcceptedAt >= start).Select(m => m.AcceptedAt).Order()];
            if (accepted.Count >= members || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(1000);
        }
        var elapsed = accepted[^1] - start;
        var firstToLast = accepted[^1] - accepted[0];
        var busiestSecond = 0;
        for (int i = 0, j = 0; i < accepted.Count; i++)
        {
            while (accepted[j] < accepted[i].AddSeconds(-1) || accepted[i] - accepted[j] >= TimeSpan.FromSeconds(1))
            {
                j++;
            }
            busiestSecond = Math.Max(busiestSecond, i - j + 1);
        }
        var refused = system.Meta.Refusals.GetValueOrDefault(130429);
        var progress = await supervisor.GetBroadcastAsync(new GetBroadcastRequest { Name = broadcast.Name });
        var process = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine();
        Console.WriteLine("| members | limit /s | call to last send | of the ideal | first to last | achieved /s | busiest second | 130429 answers | sent twice | working set (test process) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var twice = system.SentMessages.List(null).Where(m => m.To is not null && mine.Contains(m.To) && m.AcceptedAt >= start).GroupBy(m => m.To).Count(g => g.Count() > 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {accepted.Count:N0} | {limit} | {elapsed.TotalSeconds:F1} s | {elapsed / ideal:P1} | {firstToLast.TotalSeconds:F1} s | {(accepted.Count - 1) / firstToLast.TotalSeconds:F1} | {busiestSecond} | {refused} | {twice} | {process.WorkingSet64 / 1024 / 1024} MiB |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SendBroadcast answered after {answered.TotalSeconds:F2} s, the first message accepted after {(accepted[0] - start).TotalSeconds:F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Progress when the last was accepted: sent {progress.Sent}, delivered {progress.Delivered}, read {progress.Read}, queued {progress.Queued}, failed {progress.Failed}"));
        return Goals.Check(
            ($"all {members:N0} members reached ({accepted.Count:N0})", accepted.Count == members),
            ($"nobody twice ({twice})", twice == 0),
            (string.Create(CultureInfo.InvariantCulture, $"call to last send within 5 % of the ideal ({elapsed / ideal:P1})"), elapsed <= ideal * 1.05));
    }
}
