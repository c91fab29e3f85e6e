using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using GoldbachActors.Benchmarks;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// bench/run.sh history | memory | pacing | broadcast | audit | cluster | duty run the citizen grain's and the outbox's benchmarks (see docs/benchmarks.md); no mode: intake.
switch (args.FirstOrDefault())
{
    case "history":
        return await HistoryBenchmark.RunAsync(args);
    case "memory":
        return await MemoryBenchmark.RunAsync(args);
    case "pacing":
        return await PacingBenchmark.RunAsync(args);
    case "broadcast":
        return await BroadcastBenchmark.RunAsync(args);
    case "audit":
        return await AuditBenchmark.RunAsync(args);
    case "cluster":
        return await ClusterSoakBenchmark.RunAsync(args);
    case "duty":
        return await DutyBenchmark.RunAsync(args);
}

// Webhook intake against its two limits, in one run on this machine:
//   1. a bare ASP.NET Core endpoint that only reads the body and answers 200 (the HTTP ceiling),
//   2. Azurite's raw rate of single-entity upserts into a table as large as the citizens' (the storage ceiling),
//   3. the real intake: signed webhooks over sockets → gateway → journal (group commit) → 200, recorded into the
//      citizen grains right after; then every acknowledged message checked through the staff API (lost, duplicated).
var citizens = Arg("--citizens", 2000);
var messagesPerCitizen = Arg("--messages-per-citizen", 2);
var concurrency = Arg("--concurrency", 32);
var total = citizens * messagesPerCitizen;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Intake benchmark: {citizens} citizens × {messagesPerCitizen} messages = {total} signed webhooks, {concurrency} concurrent senders, {Environment.ProcessorCount} cores"));

await using var system = LocalSystemHost.Create();
await system.StartAsync();
using var http = new HttpClient();

// 1. The HTTP ceiling.
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
var bareResult = await LoadRun.RunAsync("bare ASP.NET Core endpoint (200 only)", total, concurrency, PostBare);
await bareApp.StopAsync();

// 3. The intake (before 2, so that Azurite starts as empty as it would).
var warmUp = Enumerable.Range(0, 200).Select(i => new Citizen($"+4916{i:D9}")).ToList();
await LoadRun.RunAsync("warm-up", warmUp.Count, concurrency, async i =>
{
    using var r = await system.PostWebhookAsync(Payloads.Messages(warmUp[i], warmUp[i].From($"wamid.warm{i}") + ",\"type\":\"text\",\"text\":{\"body\":\"x\"}"), waitUntilRecorded: false);
    return LoadRun.IsOk(r);
});
await system.WaitUntilRecordedAsync();
var people = Enumerable.Range(0, citizens).Select(i => new Citizen($"+4917{i:D9}")).ToList();
var acknowledged = new bool[total];
var intake = await LoadRun.RunAsync("webhook intake (gateway + silo + Azurite)", total, concurrency, async i =>
{
    // Message k of every citizen before message k+1 of any: many citizens at once, as on a busy day.
    var citizen = people[i % citizens];
    var body = Payloads.Messages(citizen, citizen.From($"wamid.bench{i}", DateTimeOffset.UtcNow.AddSeconds(i / citizens)) + $",\"type\":\"text\",\"text\":{{\"body\":\"Meldung {i}\"}}");
    using var response = await system.PostWebhookAsync(body, waitUntilRecorded: false);
    acknowledged[i] = LoadRun.IsOk(response);
    return acknowledged[i];
});
// Answered means journaled; the grains record right after. How long until everything is in the citizens' state:
var recording = System.Diagnostics.Stopwatch.StartNew();
await system.WaitUntilRecordedAsync();
var recordedAfter = intake.Elapsed + recording.Elapsed;
// The acknowledgements go out meanwhile; let them finish so that they do not slow the storage ceiling's run.
while (system.SentMessages.List(null).Count < citizens + warmUp.Count)
{
    await Task.Delay(50);
}

// Lost: acknowledged to "Meta" but not stored. Duplicated: stored more than once.
var staff = system.Staff();
int lost = 0, duplicated = 0;
foreach (var (citizen, index) in people.Select((c, i) => (c, i)))
{
    var expected = Enumerable.Range(0, messagesPerCitizen).Select(k => index + (k * citizens)).Where(i => acknowledged[i]).Select(i => $"wamid.bench{i}").ToHashSet();
    Conversation conversation;
    try
    {
        conversation = await staff.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName });
    }
    catch (Grpc.Core.RpcException)
    {
        lost += expected.Count;
        continue;
    }
    var stored = conversation.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.WhatsappMessageId).ToList();
    lost += expected.Count(id => !stored.Contains(id));
    duplicated += stored.Count - stored.Distinct().Count();
}

// 2. The storage ceiling: single-entity upserts into a table as large as the citizens' table.
var tables = new TableServiceClient(system.Storage.ConnectionString);
var table = tables.GetTableClient("BenchmarkUpserts");
await table.CreateIfNotExistsAsync();
var payload = new byte[1500];
Random.Shared.NextBytes(payload);
foreach (var chunk in Enumerable.Range(0, citizens + warmUp.Count).Chunk(100))
{
    await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
        new TableEntity("bench", i.ToString("D9", CultureInfo.InvariantCulture)) { ["Data"] = payload })));
}
var upserts = await LoadRun.RunAsync("Azurite single-entity upserts (raw)", total, concurrency, async i =>
{
    // One partition per entity, as the grain storage writes them.
    var response = await table.UpsertEntityAsync(new TableEntity($"p{i % citizens}", i.ToString("D9", CultureInfo.InvariantCulture)) { ["Data"] = payload }, TableUpdateMode.Replace);
    return response.Status is >= 200 and < 300;
});

Console.WriteLine();
Console.WriteLine("| run | requests | succeeded | per second | p50 ms | p99 ms | max ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
Console.WriteLine(bareResult.Row());
Console.WriteLine(upserts.Row());
Console.WriteLine(intake.Row());
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"intake: {intake.Succeeded} acknowledged of {total}, lost {lost}, duplicated {duplicated}; acknowledged/raw upsert rate = {intake.PerSecond / upserts.PerSecond:F2}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"recorded in the citizens' grains {recordedAfter.TotalSeconds:F1} s after the first webhook: {total / recordedAfter.TotalSeconds:F0} messages/s end to end"));
return Goals.Check(($"nothing lost ({lost})", lost == 0), ($"nothing duplicated ({duplicated})", duplicated == 0));

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
