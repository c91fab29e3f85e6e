using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.Tests.Telemetry;

/// <summary>
/// What leaves silo and gateway through their real OTLP exporters (HTTP/protobuf to a receiver on a socket) holds no
/// citizen number of any length the identity rule allows: here a 10-digit Norwegian number, sent without a BSUID
/// (a legacy wa_id), so that it is the grain's key and Orleans' own logs and spans carry it.
/// </summary>
public sealed class OtlpExportPrivacyTests : IAsyncLifetime
{
    private const string WaId = "4791234567";
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Uri _receiverUrl = new($"http://127.0.0.1:{FreePort.Next()}");
    private readonly LocalSystemHost _system = LocalSystemHost.Create();
    private WebApplication? _receiver;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_receiverUrl.ToString());
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        // An OTLP/HTTP receiver keeps every export request's bytes; an empty body is a valid protobuf answer.
        _receiver.MapPost("/v1/{signal}", async (HttpRequest request, string signal) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _received.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await _receiver.StartAsync();
        string[] otlp =
        [
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={_receiverUrl}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_BSP_SCHEDULE_DELAY=200",
            "--OTEL_BLRP_SCHEDULE_DELAY=200",
            "--Logging:LogLevel:Default=Debug",
        ];
        _system.SiloSettings.AddRange(otlp);
        _system.GatewaySettings.AddRange(otlp);
        await _system.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_ten_digit_number_reaches_no_otlp_export()
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes($$$"""
            {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
            "messaging_product":"whatsapp","metadata":{"display_phone_number":"4960215000","phone_number_id":"{{{LocalSystemHost.Tenant}}}"},
            "contacts":[{"profile":{"name":"Ola Nordmann"},"wa_id":"{{{WaId}}}"}],
            "messages":[{"from":"{{{WaId}}}","id":"{{{LocalSystemHost.NewWamid()}}}","timestamp":"{{{at}}}","type":"text","text":{"body":"Hei, er rådhuset åpent i dag?"}}]}}]}]}
            """);
        using (var response = await _system.PostWebhookAsync(body))
        {
            Assert.True(response.IsSuccessStatusCode);
        }
        Assert.Single(await _system.WaitForSentAsync("+" + WaId, 1));
        var conversation = await _system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = $"tenants/{LocalSystemHost.Tenant}/conversations/{WaId}" });
        Assert.Single(conversation.Entries, e => e.Inbound is not null);

        // Both signals arrived, with the flow in them (otherwise "nothing found" would prove nothing).
        var exported = await Eventually.Until(
            () => Task.FromResult(_received.ToArray()),
            r => r.Any(x => x.Path == "traces" && Contains(x.Body, "goldbach.outbound.send")) && r.Any(x => x.Path == "logs"),
            TimeSpan.FromSeconds(20));
        Assert.Contains(exported, x => x.Path == "traces" && Contains(x.Body, "goldbach.outbound.send"));
        Assert.Contains(exported, x => x.Path == "logs");
        await Task.Delay(1000);
        foreach (var (path, bytes) in _received)
        {
            Assert.False(Contains(bytes, WaId), $"the number reached an OTLP {path} export");
            Assert.False(Contains(bytes, "Ola Nordmann"), $"the name reached an OTLP {path} export");
        }
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
