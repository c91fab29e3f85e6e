using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using GoldbachActors.Audit;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// Export and erasure of one citizen in a tenant whose audit log holds N rows (default 1,000,000, a few busy years),
/// through the staff API of the real system against Azurite. The log is filled as the gateway writes it (entry and
/// conversation index), spread over 5,000 other conversations; the citizen has a conversation read and answered by
/// staff. With --scan, printed beside: one read of the tenant's whole audit partition, which export and erasure did
/// before the index. Goal: export and erasure each under 5 s.
/// </summary>
public static class AuditBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = HistoryBenchmark.Arg(args, "--rows", 1_000_000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Audit benchmark: export and erase one citizen with {rows:N0} audit rows in the tenant, {Environment.ProcessorCount} cores"));
        await using var system = LocalSystemHost.Create();
        await system.StartAsync();
        var agent = system.Staff("dora");

        const string Phone = "+4915112349999";
        for (var i = 0; i < 5; i++)
        {
            using var response = await system.PostWebhookAsync(LocalSystemHost.TextWebhook(Phone, $"Die Schaukel am Spielplatz ist kaputt ({i})"));
        }
        var name = LocalSystemHost.ConversationName(Phone);
        await agent.GetConversationAsync(new GetConversationRequest { Name = name });
        await agent.ReplyAsync(new ReplyRequest { Conversation = name, Text = "Danke, wir kümmern uns.", RequestId = "bench-1" });

        var fill = Stopwatch.StartNew();
        var tables = new TableServiceClient(system.Storage.ConnectionString);
        var audit = new StaffAuditLog(tables, TimeProvider.System);
        string[] actions = ["GetConversation", "Reply", "SetStatus", "Assign", "DownloadMedia"];
        const int Batch = 100;
        var written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, (rows + Batch - 1) / Batch), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (b, cancellation) =>
        {
            var now = DateTimeOffset.UtcNow;
            var entries = Enumerable.Range(0, Math.Min(Batch, rows - (b * Batch))).Select(i => new StaffAuditEntry(
                now, $"staff-{i % 12:D2}", StaffRoles.Agent, actions[i % actions.Length],
                LocalSystemHost.ConversationName($"+49151{(b * 7 + i) % 5000:D8}"))).ToList();
            await audit.AppendAsync(LocalSystemHost.Tenant, entries, cancellation);
            if (Interlocked.Add(ref written, entries.Count) % 100_000 < entries.Count)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {written:N0} rows written ({fill.Elapsed.TotalSeconds:F0} s)"));
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {rows:N0} rows (and their index rows) written in {fill.Elapsed.TotalSeconds:F0} s ({rows / fill.Elapsed.TotalSeconds:F0}/s)"));

        // A token minted now: filling a million rows outlasts a token's lifetime.
        var supervisor = system.Staff("bench", StaffRoles.Supervisor);
        var citizen = new CitizenSelector { Parent = $"tenants/{LocalSystemHost.Tenant}", PhoneNumber = Phone };
        var export = Stopwatch.StartNew();
        var bytes = 0L;
        using (var call = supervisor.ExportCitizen(new ExportCitizenRequest { Citizen = citizen }))
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                bytes += call.ResponseStream.Current.Data.Length;
            }
        }
        export.Stop();
        var erase = Stopwatch.StartNew();
        var erasure = await supervisor.EraseCitizenAsync(new EraseCitizenRequest { Citizen = citizen, RequestId = "bench" });
        erase.Stop();

        // Only with --scan: Azurite pages through a large partition slowly (a million rows take many minutes).
        TimeSpan? scanned = null;
        var rowsRead = 0;
        if (args.Contains("--scan"))
        {
            var scan = Stopwatch.StartNew();
            await foreach (var _ in tables.GetTableClient(StaffAuditLog.TableName).QueryAsync<TableEntity>(e => e.PartitionKey == LocalSystemHost.Tenant, select: ["RowKey"]))
            {
                rowsRead++;
            }
            scanned = scan.Elapsed;
        }

        Console.WriteLine();
        Console.WriteLine("| audit rows in the tenant | export one citizen | erase one citizen | audit entries redacted | whole partition read (before the index) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {written + 2:N0} | {export.Elapsed.TotalSeconds:F2} s ({bytes / 1024.0:F0} KiB) | {erase.Elapsed.TotalSeconds:F2} s | {erasure.AuditEntries} | {(scanned is { } t ? $"{t.TotalSeconds:F1} s ({rowsRead:N0} rows)" : "not measured (--scan)")} |"));
        var met = export.Elapsed < TimeSpan.FromSeconds(5) && erase.Elapsed < TimeSpan.FromSeconds(5) && erasure.AuditEntries >= 3;
        Console.WriteLine(met ? "Goal met: export and erasure each under 5 s." : "Goal missed: export or erasure took 5 s or more.");
        return met ? 0 : 1;
    }
}
