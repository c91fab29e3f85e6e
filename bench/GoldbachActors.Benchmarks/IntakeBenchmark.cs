using System.Globalization;
using Azure.Data.Tables;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.Benchmarks;

/// <summary>
/// Webhook intake against its two limits, in one run on this machine:
///   1. a bare ASP.NET Core endpoint that only reads the body and answers 200 (the HTTP ceiling),
///   2. Azurite's raw rate of single-entity upserts into a table as large as the citizens' (the storage ceiling),
///   3. the real intake: signed webhooks over sockets → gateway → journal (group commit) → 200, recorded into the
///      citizen grains right after; end to end when every acknowledged message can be read through the staff API
///      (which also counts what was lost or stored twice); the storage round trips of the intake, the recording and
///      the acknowledgements, per message.
/// </summary>
public static class IntakeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var citizens = HistoryBenchmark.Arg(args, "--citizens", 2000);
        var messagesPerCitizen = HistoryBenchmark.Arg(args, "--messages-per-citizen", 2);
        var concurrency = HistoryBenchmark.Arg(args, "--concurrency", 32);
        var total = citizens * messagesPerCitizen;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Intake benchmark: {citizens} citizens × {messagesPerCitizen} messages = {total} signed webhooks, {concurrency} concurrent senders, {Environment.ProcessorCount} cores"));

        var lanes = HistoryBenchmark.Arg(args, "--lanes", 0);
        using var trips = new StorageTrips();
        await using var system = LocalSystemHost.Create();
        if (lanes > 0)
        {
            // How many of the gateway's recording lanes run at once (WhatsApp:Webhook:RecordingLanes).
            system.GatewaySettings.Add($"--WhatsApp:Webhook:RecordingLanes={lanes}");
        }
        await system.StartAsync();
        using var http = new HttpClient();

        var bareResult = await BareEndpointAsync(http, total, concurrency);

        // 3. The intake (before 2, so that Azurite starts as empty as it would).
        var warmUp = Enumerable.Range(0, 200).Select(i => new Citizen($"+4916{i:D9}")).ToList();
        await LoadRun.RunAsync("warm-up", warmUp.Count, concurrency, async i =>
        {
            using var r = await system.PostWebhookAsync(Payloads.Messages(warmUp[i], warmUp[i].From($"wamid.warm{i}") + ",\"type\":\"text\",\"text\":{\"body\":\"x\"}"), waitUntilRecorded: false);
            return LoadRun.IsOk(r);
        });
        await system.WaitUntilRecordedAsync();
        await WaitForSentAsync(system, warmUp.Count);
        var people = Enumerable.Range(0, citizens).Select(i => new Citizen($"+4917{i:D9}")).ToList();
        var acknowledged = new bool[total];
        var tripsBefore = trips.Snapshot();
        var intake = await LoadRun.RunAsync("webhook intake (gateway + silo + Azurite)", total, concurrency, async i =>
        {
            // Message k of every citizen before message k+1 of any: many citizens at once, as on a busy day.
            var citizen = people[i % citizens];
            var body = Payloads.Messages(citizen, citizen.From($"wamid.bench{i}", DateTimeOffset.UtcNow.AddSeconds(i / citizens)) + $",\"type\":\"text\",\"text\":{{\"body\":\"Meldung {i}\"}}");
            using var response = await system.PostWebhookAsync(body, waitUntilRecorded: false);
            acknowledged[i] = LoadRun.IsOk(response);
            return acknowledged[i];
        });
        var tripsAcknowledged = trips.Snapshot();

        // End to end: the time when every acknowledged message can be read through the staff API. The gateway's
        // processor is waited for first (so that the reads do not activate grains ahead of their messages); the
        // reads themselves are part of the time.
        var recording = System.Diagnostics.Stopwatch.StartNew();
        await system.WaitUntilRecordedAsync();
        var tripsRecorded = trips.Snapshot();
        var (lost, duplicated) = await CheckThroughStaffApiAsync(system, people, acknowledged, messagesPerCitizen);
        var endToEnd = intake.Elapsed + recording.Elapsed;
        // The check's own storage calls (the staff audit log of 1,500 readings) are not the messages' cost.
        var check = StorageTrips.Between(tripsRecorded, trips.Snapshot()).Sum(p => p.Count);
        // The acknowledgements go out meanwhile (paced at the number's limit); their storage calls count too, including
        // the "sent" state written up to 5 s after the send.
        await WaitForSentAsync(system, citizens + warmUp.Count);
        await Task.Delay(TimeSpan.FromSeconds(7));
        var tripsSent = trips.Snapshot();

        var upserts = await RawUpsertsAsync(system, total, citizens + warmUp.Count, concurrency);

        Console.WriteLine();
        Console.WriteLine("| run | requests | succeeded | per second | p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(bareResult.Row());
        Console.WriteLine(upserts.Row());
        Console.WriteLine(intake.Row());
        Console.WriteLine();
        var endToEndRate = total / endToEnd.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"intake: {intake.Succeeded} acknowledged of {total}, lost {lost}, duplicated {duplicated}; acknowledged / raw upsert rate = {intake.PerSecond / upserts.PerSecond:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"end to end: every message readable through the staff API {endToEnd.TotalSeconds:F1} s after the first webhook: {endToEndRate:F0} messages/s, {endToEndRate / upserts.PerSecond:F2}× the raw upsert rate"));
        PrintTrips("answering (journal)", tripsBefore, tripsAcknowledged, total);
        PrintTrips("answering and recording", tripsBefore, tripsRecorded, total);
        PrintTrips("answering, recording and acknowledging (with the staff API check)", tripsBefore, tripsSent, total, citizens);
        var perMessage = (Total(tripsBefore, tripsSent) - check) / (double)total;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"storage round trips without the staff API check ({check:N0}): {perMessage:F2} per message, {perMessage * total / citizens:F2} per first message with its acknowledgement"));
        return Goals.Check(
            ($"nothing lost ({lost})", lost == 0),
            ($"nothing duplicated ({duplicated})", duplicated == 0),
            (string.Create(CultureInfo.InvariantCulture, $"acknowledged ≥ 1.0× the raw upsert rate ({intake.PerSecond / upserts.PerSecond:F2}×)"), intake.PerSecond >= upserts.PerSecond),
            (string.Create(CultureInfo.InvariantCulture, $"acknowledged p99 < 250 ms ({intake.P99Ms:F1} ms)"), intake.P99Ms < 250),
            (string.Create(CultureInfo.InvariantCulture, $"end to end ≥ 0.5× the raw upsert rate ({endToEndRate / upserts.PerSecond:F2}×)"), endToEndRate >= 0.5 * upserts.PerSecond),
            (string.Create(CultureInfo.InvariantCulture, $"about 2 storage round trips per message, acknowledgements included ({perMessage:F2})"), perMessage <= 2.5));
    }

    private static long Total(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        StorageTrips.Between(before, after).Sum(p => p.Count);

    private static void PrintTrips(string phase, IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, int messages, int? firstMessages = null)
    {
        var between = StorageTrips.Between(before, after);
        var sum = between.Sum(p => p.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"storage round trips, {phase}: {sum:N0} = {sum / (double)messages:F2} per message{(firstMessages is { } first ? string.Create(CultureInfo.InvariantCulture, $" ({sum / (double)first:F2} per first message with its acknowledgement)") : "")}"));
        Console.WriteLine("  " + string.Join(", ", between.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.What} {p.Count:N0}"))));
    }

    private static async Task WaitForSentAsync(LocalSystemHost system, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (system.SentMessages.List(null).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    // Lost: acknowledged to "Meta" but not readable through the staff API. Duplicated: stored more than once.
    private static async Task<(int Lost, int Duplicated)> CheckThroughStaffApiAsync(
        LocalSystemHost system, List<Citizen> people, bool[] acknowledged, int messagesPerCitizen)
    {
        var staff = system.Staff();
        int lost = 0, duplicated = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, people.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (index, cancellation) =>
        {
            var citizen = people[index];
            var expected = Enumerable.Range(0, messagesPerCitizen).Select(k => index + (k * people.Count)).Where(i => acknowledged[i]).Select(i => $"wamid.bench{i}").ToHashSet();
            try
            {
                var conversation = await staff.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }, cancellationToken: cancellation);
                var stored = conversation.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.WhatsappMessageId).ToList();
                Interlocked.Add(ref lost, expected.Count(id => !stored.Contains(id)));
                Interlocked.Add(ref duplicated, stored.Count - stored.Distinct().Count());
            }
            catch (Grpc.Core.RpcException)
            {
                Interlocked.Add(ref lost, expected.Count);
            }
        });
        return (lost, duplicated);
    }

    // 1. The HTTP ceiling.
    private static async Task<LoadResult> BareEndpointAsync(HttpClient http, int total, int concurrency)
    {
        var bare = WebApplication.CreateBuilder();
        bare.Logging.ClearProviders();
        var barePort = FreePort.Next();
        bare.WebHost.UseUrls($"http://127.0.0.1:{barePort}");
        var bareApp = bare.Build();
        bareApp.MapPost("/", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        });
        await bareApp.StartAsync();
        var sampleBody = Payloads.Messages(new Citizen("+4915000000000"), new Citizen("+4915000000000").From("wamid.sample") + ",\"type\":\"text\",\"text\":{\"body\":\"Die Schaukel am Spielplatz ist kaputt\"}");
        var signature = new WebhookSignature(LocalSystemHost.AppSecret).Sign(sampleBody);
        async Task<bool> PostBare(int _)
        {
            using var content = new ByteArrayContent(sampleBody);
            content.Headers.Add(WebhookSignature.HeaderName, signature);
            using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{barePort}/"), content);
            return LoadRun.IsOk(response);
        }
        await LoadRun.RunAsync("warm-up", 500, concurrency, PostBare);
        var result = await LoadRun.RunAsync("bare ASP.NET Core endpoint (200 only)", total, concurrency, PostBare);
        await bareApp.StopAsync();
        return result;
    }

    // 2. The storage ceiling: single-entity upserts into a table as large as the citizens' table.
    private static async Task<LoadResult> RawUpsertsAsync(LocalSystemHost system, int total, int prefill, int concurrency)
    {
        var tables = new TableServiceClient(system.Storage.ConnectionString);
        var table = tables.GetTableClient("BenchmarkUpserts");
        await table.CreateIfNotExistsAsync();
        var payload = new byte[1500];
        Random.Shared.NextBytes(payload);
        foreach (var chunk in Enumerable.Range(0, prefill).Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity("bench", i.ToString("D9", CultureInfo.InvariantCulture)) { ["Data"] = payload })));
        }
        var partitions = Math.Max(1, total / 2);
        return await LoadRun.RunAsync("Azurite single-entity upserts (raw)", total, concurrency, async i =>
        {
            // One partition per entity, as the grain storage writes them.
            var response = await table.UpsertEntityAsync(new TableEntity($"p{i % partitions}", i.ToString("D9", CultureInfo.InvariantCulture)) { ["Data"] = payload }, TableUpdateMode.Replace);
            return response.Status is >= 200 and < 300;
        });
    }
}
