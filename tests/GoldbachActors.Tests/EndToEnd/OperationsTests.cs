using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>What operators and Kubernetes use: probes, the Prometheus endpoint, the alert rules with a real Prometheus.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class OperationsTests(LocalSystem system, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new();

    [Theory]
    [InlineData("/health/startup")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Silo_and_gateway_answer_the_kubernetes_probes(string probe)
    {
        foreach (var host in new[] { system.SiloHttp, system.GatewayHttp })
        {
            using var response = await Http.GetAsync(new Uri(host, probe));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_both_and_loads_the_alert_rules()
    {
        var source = Path.Combine(RepositoryRoot.Path, "deploy", "observability");
        Assert.True(File.Exists("/usr/bin/prometheus"), "Debian's prometheus is missing (test.sh installs it).");
        // A citizen writes, so that the silo has counted an acknowledgement by the time Prometheus scrapes it.
        using (var webhook = await system.PostWebhookAsync(LocalSystem.TextWebhook("+4915112348801", "Wann ist der Wertstoffhof offen?")))
        {
            Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        }
        await system.WaitForSentAsync("+4915112348801", 1);
        Assert.Equal(0, await RunAsync("promtool", "check", "rules", Path.Combine(source, "alerts.yml")));
        Assert.Equal(0, await RunAsync("promtool", "test", "rules", Path.Combine(source, "alerts.test.yml")));

        // The committed configuration as it is; only the targets (file_sd) point at this test's silo and gateway.
        var work = Directory.CreateTempSubdirectory("goldbach-prometheus-").FullName;
        try
        {
            File.Copy(Path.Combine(source, "prometheus.yml"), Path.Combine(work, "prometheus.yml"));
            File.Copy(Path.Combine(source, "alerts.yml"), Path.Combine(work, "alerts.yml"));
            Directory.CreateDirectory(Path.Combine(work, "targets"));
            await File.WriteAllTextAsync(Path.Combine(work, "targets", "silo.json"), Targets(system.SiloHttp));
            await File.WriteAllTextAsync(Path.Combine(work, "targets", "gateway.json"), Targets(system.GatewayHttp));
            Assert.Equal(0, await RunAsync("promtool", "check", "config", Path.Combine(work, "prometheus.yml")));

            var port = FreePort.Next();
            var start = new ProcessStartInfo("prometheus") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = work };
            foreach (var argument in new[]
            {
                $"--config.file={Path.Combine(work, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(work, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            })
            {
                start.ArgumentList.Add(argument);
            }
            using var prometheus = Process.Start(start)!;
            var log = new StringBuilder();
            prometheus.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            prometheus.BeginErrorReadLine();
            try
            {
                var api = new Uri($"http://127.0.0.1:{port}/api/v1/");
                JsonArray? targets = null;
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while (DateTime.UtcNow < deadline)
                {
                    try
                    {
                        targets = JsonNode.Parse(await Http.GetStringAsync(new Uri(api, "targets")))!["data"]!["activeTargets"]!.AsArray();
                        if (targets.Count == 2 && targets.All(t => (string?)t!["health"] == "up"))
                        {
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                    }
                    await Task.Delay(1000);
                }
                output.WriteLine(targets?.ToJsonString() ?? "no targets");
                Assert.NotNull(targets);
                Assert.Equal(["goldbach-gateway", "goldbach-silo"], targets.Select(t => (string)t!["labels"]!["job"]!).Order());
                Assert.All(targets, t => Assert.Equal("up", (string?)t!["health"]));

                var rules = JsonNode.Parse(await Http.GetStringAsync(new Uri(api, "rules")))!["data"]!["groups"]!.AsArray();
                var names = rules.SelectMany(g => g!["rules"]!.AsArray()).Select(r => (string)r!["name"]!).ToList();
                Assert.Contains("GoldbachWebhookServerErrors", names);
                Assert.Contains("GoldbachOutboxGrowing", names);
                Assert.Contains("GoldbachGraphApiCircuitOpen", names);
                Assert.Contains("GoldbachWebhookDeadLetters", names);
                Assert.Contains("GoldbachNobodyOnDuty", names);
                Assert.Equal(10, names.Count);
                // Every rule evaluated without error (Prometheus evaluates every 15 s; "unknown" is not yet evaluated).
                var evaluated = await Eventually.Until(
                    async () => JsonNode.Parse(await Http.GetStringAsync(new Uri(api, "rules")))!["data"]!["groups"]!.AsArray()
                        .SelectMany(g => g!["rules"]!.AsArray()).Select(r => $"{r!["name"]}: {r["health"]} {r["lastError"]}").ToList(),
                    all => all.All(r => r.Contains(": ok ", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));
                Assert.Equal(names.Count, evaluated.Count);

                // Our own series arrived: the silo's acknowledgement counter, scraped and queryable.
                var acknowledgements = await Eventually.Until(
                    async () => JsonNode.Parse(await Http.GetStringAsync(new Uri(api, "query?query=" + Uri.EscapeDataString("sum(goldbach_acknowledgements_total{job=\"goldbach-silo\"})"))))!["data"]!["result"]!.AsArray(),
                    result => result.Count == 1, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));
                Assert.True(double.Parse((string)acknowledgements[0]!["value"]![1]!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
            }
            finally
            {
                prometheus.Kill();
                await prometheus.WaitForExitAsync();
                lock (log)
                {
                    output.WriteLine(log.ToString());
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Targets(Uri host) => $$"""[{"targets": ["{{host.Authority}}"]}]""";

    private async Task<int> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.WriteLine($"{program} {string.Join(' ', arguments)}: {process.ExitCode}\n{text}");
        return process.ExitCode;
    }
}

/// <summary>
/// What a process exposes at /metrics. The silo runs as its own process, one host per process as in production (in
/// the shared test process every host's metrics listener would also see the other hosts' instruments).
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        await _system.StartSiloProcessAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Silo_and_gateway_expose_their_metrics_with_the_resource_attributes()
    {
        const string phone = "+4915177123401";
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Wann ist der Wertstoffhof offen?")))
        {
        }
        Assert.Single(await _system.WaitForSentAsync(phone, 1));
        const string member = "+4915177123402";
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook(member, "START KITZ")))
        {
        }
        Assert.Single(await _system.WaitForSentAsync(member, 1));

        var silo = await Http.GetStringAsync(new Uri(_system.SiloProcessHttp!, "/metrics"));
        var gateway = await Http.GetStringAsync(new Uri(_system.GatewayHttp, "/metrics"));

        Assert.Contains("goldbach_acknowledgements_total", silo, StringComparison.Ordinal);
        Assert.Contains("goldbach_outbound_sent_total{", silo, StringComparison.Ordinal);
        Assert.Contains("goldbach_conversations_unresolved{", silo, StringComparison.Ordinal);
        Assert.Contains("goldbach_outbox_depth", silo, StringComparison.Ordinal);
        Assert.Matches("goldbach_lists_consent_total\\{[^}]*action=\"joined\",channel=\"keyword\",list=\"kitzrettung\"\\} 1", silo);
        Assert.Matches("goldbach_outbound_sent_total\\{[^}]*kind=\"list_confirmation\"\\} 1", silo);
        Assert.Contains("orleans_", silo, StringComparison.Ordinal);
        Assert.Contains("goldbach_webhook_requests_total{", gateway, StringComparison.Ordinal);
        Assert.Contains("goldbach_webhook_duration_milliseconds_bucket{", gateway, StringComparison.Ordinal);
        Assert.Contains("service_name=\"goldbach-silo\"", silo, StringComparison.Ordinal);
        Assert.Contains("service_name=\"goldbach-gateway\"", gateway, StringComparison.Ordinal);
        Assert.Contains("service_instance_id=", gateway, StringComparison.Ordinal);
        Assert.DoesNotContain(phone[1..], silo + gateway, StringComparison.Ordinal);
        Assert.DoesNotContain(member[1..], silo + gateway, StringComparison.Ordinal);
    }
}

/// <summary>A stop as Kubernetes does it: SIGTERM; readiness drops first while the silo still serves, then it drains and exits.</summary>
public sealed class GracefulShutdownTests : IAsyncLifetime
{
    private const string DashboardPassword = "test-dashboard-password";
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        _system.SiloSettings.Add("--Shutdown:DrainDelay=00:00:04");
        _system.SiloSettings.Add($"--Dashboard:Password={DashboardPassword}");
        await _system.InitializeAsync();
        await _system.StartSiloProcessAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task On_sigterm_readiness_turns_false_first_then_the_silo_drains_and_exits_cleanly()
    {
        using var http = new HttpClient();
        var silo = _system.SiloProcessHttp!;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(silo, "/health/ready"))).StatusCode);

        _system.TerminateSiloProcess();
        var sawNotReady = false;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (!sawNotReady && DateTime.UtcNow < deadline)
        {
            using var ready = await http.GetAsync(new Uri(silo, "/health/ready"));
            using var live = await http.GetAsync(new Uri(silo, "/health/live"));
            // Still serving (live answers) while it tells the load balancer to stop sending.
            sawNotReady = ready.StatusCode == HttpStatusCode.ServiceUnavailable && live.StatusCode == HttpStatusCode.OK;
            await Task.Delay(100);
        }
        Assert.True(sawNotReady, "Readiness did not turn false while the silo still served.");
        Assert.Equal(0, await _system.WaitForSiloProcessExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task The_orleans_dashboard_is_behind_authentication()
    {
        using var http = new HttpClient();
        var dashboard = new Uri(_system.SiloProcessHttp!, "/dashboard/");

        using (var anonymous = await http.GetAsync(dashboard))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, dashboard))
        {
            wrong.Headers.Authorization = Basic("operator", "guess");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        using var right = new HttpRequestMessage(HttpMethod.Get, dashboard);
        right.Headers.Authorization = Basic("operator", DashboardPassword);
        using var response = await http.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
