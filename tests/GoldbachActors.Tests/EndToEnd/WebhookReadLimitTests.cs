using System.Net;
using System.Net.Sockets;
using System.Text;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// Slow or hostile clients that announce large bodies and send them drop by drop hold read slots, not memory: beyond
/// the configured number of concurrent reads (and their queue) the gateway answers 503, which Meta retries; once the
/// slow clients are gone, webhooks are accepted again.
/// </summary>
public sealed class WebhookReadLimitTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        _system.GatewaySettings.Add("--WhatsApp:Webhook:MaxConcurrentReads=2");
        _system.GatewaySettings.Add("--WhatsApp:Webhook:ReadQueueLimit=0");
        await _system.InitializeAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Beyond_the_concurrent_reads_a_webhook_is_answered_503_and_accepted_once_slots_are_free()
    {
        var slow = new List<TcpClient>();
        for (var i = 0; i < 2; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, _system.GatewayHttp.Port);
            var head = $"POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n{{\"object\":";
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
            slow.Add(client);
        }
        await Task.Delay(500); // both are reading now

        var body = LocalSystem.TextWebhook("+4915212360001", "Die Brücke am Bach ist gesperrt");
        using (var busy = await _system.PostWebhookAsync(body, waitUntilRecorded: false))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        }

        slow.ForEach(c => c.Dispose());
        var accepted = await Eventually.Until(
            async () => (await _system.PostWebhookAsync(body)).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, accepted);
        var metrics = await (await _system.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Matches(@"goldbach_webhook_requests_total\{[^}]*result=""busy""[^}]*\} [1-9]", metrics);
    }
}
