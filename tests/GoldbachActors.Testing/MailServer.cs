using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Testing;

/// <summary>
/// The local mail server (<c>src/MailServer/mail-server.mjs</c>: nodemailer's smtp-server and mailparser) as its own
/// process on free loopback ports, with AUTH required as the town's relay requires it. Tests read what arrived over
/// its HTTP side and make it refuse the next transactions.
/// </summary>
public sealed class MailServer : IAsyncDisposable
{
    private readonly HttpClient _http;
    private Process? _process;

    private MailServer(int smtpPort, int httpPort)
    {
        SmtpPort = smtpPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
    }

    public int SmtpPort { get; }

    public static async Task<MailServer> StartAsync()
    {
        var server = new MailServer(FreePort.Next(), FreePort.Next());
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var argument in new[]
        {
            Path.Combine("src", "MailServer", "mail-server.mjs"), "--smtp-port", $"{server.SmtpPort}", "--port", $"{server._http.BaseAddress!.Port}",
            "--user", LocalDevelopment.MailUser, "--password", LocalDevelopment.MailPassword,
        })
        {
            info.ArgumentList.Add(argument);
        }
        server._process = Process.Start(info) ?? throw new InvalidOperationException("The mail server did not start.");
        server._process.OutputDataReceived += (_, _) => { };
        server._process.ErrorDataReceived += (_, _) => { };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(server.SmtpPort, TimeSpan.FromSeconds(30));
        await FreePort.WaitUntilListeningAsync(server._http.BaseAddress.Port, TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>The silo's settings to send through this server, with links to the web inbox at <paramref name="inbox"/>.</summary>
    public IEnumerable<string> SiloSettings(Uri inbox) =>
        LocalDevelopment.MailSettings(SmtpPort, inbox).Select(s => $"--{s.Key}={s.Value}").Append("--Goldbach:Mail:RetryAfter=00:00:00.500");

    /// <summary>Everything received so far, oldest first, and the SMTP refusals it gave.</summary>
    public async Task<(ReceivedMail[] Messages, int[] Refusals)> ReceivedAsync()
    {
        var json = await _http.GetFromJsonAsync<JsonElement>("messages");
        return (
            [.. json.GetProperty("messages").EnumerateArray().Select(m => new ReceivedMail(
                [.. m.GetProperty("envelope").GetProperty("to").EnumerateArray().Select(t => t.GetString()!)],
                m.GetProperty("messageId").GetString(),
                m.GetProperty("from").GetString(),
                m.GetProperty("subject").GetString() ?? "",
                m.GetProperty("text").GetString() ?? "",
                m.GetProperty("raw").GetString() ?? ""))],
            [.. json.GetProperty("rejections").EnumerateArray().Select(r => r.GetProperty("code").GetInt32())]);
    }

    /// <summary>Waits until <paramref name="match"/> holds for what arrived.</summary>
    public async Task<ReceivedMail[]> WaitForAsync(Func<ReceivedMail[], bool> match, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(match);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var (messages, _) = await ReceivedAsync();
            if (match(messages))
            {
                return messages;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"The mail server has {messages.Length} message(s), not what the test waits for, after {timeout}.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The next <paramref name="times"/> transactions are refused at RCPT with SMTP <paramref name="code"/>.</summary>
    public async Task RefuseAsync(int code, int times)
    {
        using var response = await _http.PutAsJsonAsync("mode", new { code, times });
        response.EnsureSuccessStatusCode();
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

    /// <summary>One received message: the envelope's recipients and the parsed mail, with its source.</summary>
    public sealed record ReceivedMail(string[] To, string? MessageId, string? From, string Subject, string Text, string Raw);
}
