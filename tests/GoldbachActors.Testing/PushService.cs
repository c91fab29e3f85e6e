using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace GoldbachActors.Testing;

/// <summary>
/// The local push service (<c>src/PushService/push-service.mjs</c>) as its own process on a free loopback port: it
/// issues subscriptions as a browser makes them, verifies VAPID, decrypts aes128gcm and answers 201, 404, 410, 429 or
/// 500 on demand.
/// </summary>
public sealed class PushService : IAsyncDisposable
{
    private readonly HttpClient _http;
    private Process? _process;

    private PushService(int port)
    {
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public int Port { get; }

    public static async Task<PushService> StartAsync(int? port = null)
    {
        var service = new PushService(port ?? FreePort.Next());
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        info.ArgumentList.Add(Path.Combine("src", "PushService", "push-service.mjs"));
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add($"{service.Port}");
        service._process = Process.Start(info) ?? throw new InvalidOperationException("The push service did not start.");
        service._process.OutputDataReceived += (_, _) => { };
        service._process.ErrorDataReceived += (_, _) => { };
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(service.Port, TimeSpan.FromSeconds(30));
        return service;
    }

    /// <summary>A new subscription made with <paramref name="applicationServerKey"/> (the VAPID public key), as a browser makes one.</summary>
    public async Task<Subscription> SubscribeAsync(string applicationServerKey)
    {
        using var response = await _http.PostAsJsonAsync("subscriptions", new { applicationServerKey });
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var keys = json.GetProperty("keys");
        return new Subscription(json.GetProperty("id").GetString()!, json.GetProperty("endpoint").GetString()!,
            keys.GetProperty("p256dh").GetString()!, keys.GetProperty("auth").GetString()!);
    }

    /// <summary>The next <paramref name="times"/> pushes (null: all) to the subscription get <paramref name="status"/>, after <paramref name="delayMs"/>.</summary>
    public async Task SetModeAsync(Subscription subscription, int status, int delayMs = 0, int? times = null)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        using var response = await _http.PutAsJsonAsync($"subscriptions/{subscription.Id}/mode", new { status, delayMs, times });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The decrypted payloads the subscription received, oldest first; null when the subscription is gone.</summary>
    public async Task<Received?> ReceivedAsync(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        using var response = await _http.GetAsync(new Uri($"subscriptions/{subscription.Id}/messages", UriKind.Relative));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Received(
            [.. json.GetProperty("messages").EnumerateArray().Select(m => new PushReceipt(
                JsonDocument.Parse(m.GetProperty("payload").GetString()!).RootElement.Clone(),
                m.GetProperty("urgency").GetString()!, m.GetProperty("topic").GetString(), m.GetProperty("ttl").GetInt32(),
                m.GetProperty("at").GetDateTimeOffset()))],
            [.. json.GetProperty("rejections").EnumerateArray().Select(r => r.GetProperty("status").GetInt32())]);
    }

    /// <summary>Waits until the subscription has received <paramref name="count"/> pushes.</summary>
    public async Task<Received> WaitForAsync(Subscription subscription, int count, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var received = await ReceivedAsync(subscription);
            if (received is not null && received.Messages.Length >= count)
            {
                return received;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{received?.Messages.Length ?? 0} of {count} pushes arrived within {timeout}.");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
    }

    /// <summary>A subscription as the browser hands it to the web inbox.</summary>
    public sealed record Subscription(string Id, string Endpoint, string P256dh, string Auth);

    /// <summary>What one subscription received (decrypted) and the answers other than 201 it gave.</summary>
    public sealed record Received(PushReceipt[] Messages, int[] Rejections);

    public sealed record PushReceipt(JsonElement Payload, string Urgency, string? Topic, int TimeToLive, DateTimeOffset At);
}
