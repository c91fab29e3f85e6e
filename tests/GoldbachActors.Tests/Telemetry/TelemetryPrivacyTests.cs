using System.Diagnostics;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace GoldbachActors.Tests.Telemetry;

/// <summary>
/// The whole flow with everything logged down to Debug: a citizen's webhook, the acknowledgement, a staff reply, the
/// delivery reports. What silo and gateway hand to their exporters, their log providers and their Prometheus endpoint
/// holds neither the citizen's number, user id or name nor a word they or the town wrote; and the webhook's trace
/// reaches the Graph API call.
/// </summary>
public sealed class TelemetryPrivacyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Phone = "+4915177712345";
    private const string ProfileName = "Leonie Verschwiegen";
    private const string CitizenText = "Mein Hund Bello hat im Kurpark einen Giftköder gefunden";
    private const string ReplyText = "Danke, der Bauhof sammelt die Köder im Kurpark noch heute ein";

    private readonly LocalSystemHost _system = LocalSystemHost.Create();
    private readonly TelemetryCapture _silo = new();
    private readonly TelemetryCapture _gateway = new();

    public async Task InitializeAsync()
    {
        _system.ConfigureHost = (name, builder) => (name == "silo" ? _silo : _gateway).AddTo(builder.Services);
        _system.SiloSettings.Add("--Logging:LogLevel:Default=Debug");
        _system.GatewaySettings.Add("--Logging:LogLevel:Default=Debug");
        await _system.StartAsync();
        _system.Meta.StatusWebhooks = true;
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task No_number_user_id_name_or_text_reaches_logs_traces_or_metrics()
    {
        var citizen = new Citizen(Phone, ProfileName);
        using (var response = await _system.PostWebhookAsync(LocalSystemHost.TextWebhook(Phone, CitizenText, name: ProfileName)))
        {
            Assert.True(response.IsSuccessStatusCode);
        }
        Assert.Single(await _system.WaitForSentAsync(Phone, 1));
        await _system.Staff().ReplyAsync(new ReplyRequest { Conversation = citizen.ConversationName, Text = ReplyText });
        Assert.Equal(2, (await _system.WaitForSentAsync(Phone, 2)).Count);
        await WaitUntilAsync(async () => (await _system.Staff().GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }))
            .Entries.Count(e => e.Outbound?.State is DeliveryState.Delivered or DeliveryState.Read) == 2);
        // An error path too: a conversation name that does not exist.
        await Assert.ThrowsAnyAsync<Grpc.Core.RpcException>(() => _system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystemHost.ConversationName("+4915177799999") }).ResponseAsync);
        await Task.Delay(500);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(_system.SiloHttp, "/metrics")) + await http.GetStringAsync(new Uri(_system.GatewayHttp, "/metrics"));
        var everything = _silo.Text() + _gateway.Text() + metrics;

        // It captured the flow at all: otherwise "nothing found" would prove nothing.
        output.WriteLine($"silo: {_silo.Spans.Count} spans, {_silo.LogCount} log entries; gateway: {_gateway.Spans.Count} spans, {_gateway.LogCount} log entries; metrics {metrics.Length} chars");
        Assert.True(_silo.LogCount > 100 && _gateway.LogCount > 20, "Too few log entries captured.");
        // (Orleans' meter is one per process; which of our per-host instruments a host's listener shows is tested on a
        // silo process in MetricsEndpointTests.)
        Assert.Contains("orleans_", metrics, StringComparison.Ordinal);
        Assert.Contains("#1:", everything, StringComparison.Ordinal); // identifiers in library logs: scrubbed to keyed hashes
        // Our own log parameters classified [PersonalIdentifier] are redacted (HMAC of the whole key) before any provider.
        Assert.Matches(@"to citizen 1:[A-Za-z0-9+/=]{8,} accepted by the Graph API", everything);

        var bsuid = WhatsAppSimulator.CitizenPhoneEndpoints.BusinessScopedUserIdFor(citizen.WaId);
        foreach (var secret in new[] { Phone, citizen.WaId, Phone[3..], bsuid, ProfileName, "Leonie", CitizenText, "Giftköder", ReplyText, "Bauhof sammelt" })
        {
            var at = everything.IndexOf(secret, StringComparison.OrdinalIgnoreCase);
            Assert.True(at < 0, $"'{secret}' leaked: …{(at < 0 ? "" : everything.Substring(Math.Max(0, at - 200), Math.Min(400, everything.Length - Math.Max(0, at - 200))))}…");
        }
    }

    [Fact]
    public async Task The_webhooks_trace_reaches_the_graph_api_call()
    {
        using (await _system.PostWebhookAsync(LocalSystemHost.TextWebhook("+4915177712346", "Wann hat der Wertstoffhof offen?")))
        {
        }
        await _system.WaitForSentAsync("+4915177712346", 1);

        // The webhook that carried the message (the stand-in also posts status webhooks).
        // (Silo and gateway share this test's process, so both see its HttpClient spans: count each once.) A span is
        // captured when it ends: the send's ends after the grain stored "sent", which may take a moment under load.
        // The other test of this class sends too: wait for the send in this webhook's own trace.
        static Activity? MessageWebhook(List<Activity> all) => all.FirstOrDefault(s => s.Kind == ActivityKind.Server
            && (s.GetTagItem("url.path") as string) == "/webhooks/whatsapp"
            && all.Any(r => r.TraceId == s.TraceId && r.DisplayName.EndsWith("/ReceiveAsync", StringComparison.Ordinal))
            && all.Any(r => r.TraceId == s.TraceId && r.OperationName == "goldbach.outbound.send"));
        var spans = await Eventually.Until(
            () => Task.FromResult(_gateway.Spans.Concat(_silo.Spans).DistinctBy(s => s.SpanId).ToList()),
            all => MessageWebhook(all) is not null, TimeSpan.FromSeconds(15));
        var webhook = MessageWebhook(spans)!;
        var inTrace = spans.Where(s => s.TraceId == webhook.TraceId).ToList();
        output.WriteLine(string.Join('\n', inTrace.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName}")));
        Assert.Contains(inTrace, s => s.OperationName == "goldbach.webhook.record");
        Assert.Contains(inTrace, s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Server && s.DisplayName == "ICitizenGrain/ReceiveAsync");
        Assert.Contains(inTrace, s => s.OperationName == "goldbach.outbound.send");
        var graphApi = Assert.Single(inTrace, s => s.Kind == ActivityKind.Client && (s.GetTagItem("url.full") as string)?.Contains("/messages", StringComparison.Ordinal) == true);
        Assert.Equal(200, graphApi.GetTagItem("http.response.status_code"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 20 seconds.");
            await Task.Delay(100);
        }
    }
}
