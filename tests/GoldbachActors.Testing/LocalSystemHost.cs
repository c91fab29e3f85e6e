using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoldbachActors.Cli;
using GoldbachActors.Contracts;
using GoldbachActors.Gateway;
using GoldbachActors.Gateway.Webhooks;
using GoldbachActors.Silo;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.WhatsApp.Webhooks;
using GoldbachActors.WhatsAppSimulator;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GoldbachActors.Testing;

/// <summary>
/// The whole system on real sockets: Azurite, a silo, the gateway and the WhatsApp stand-in, each a real host on
/// its own loopback ports, configured as in production except for the addresses and secrets.
/// </summary>
public class LocalSystemHost : IAsyncDisposable
{
    public const string Tenant = "106540352242922";
    public const string AppSecret = "test-app-secret-0123456789";
    public const string VerifyToken = "test-verify-token";
    public const string AccessToken = "test-access-token";
    public const string AcknowledgementText = "Vielen Dank für Ihre Nachricht an den Markt Goldbach! Wir melden uns schnellstmöglich bei Ihnen zurück❤.";
    /// <summary>The test tenant's staff coordination number.</summary>
    public const string StaffNumber = "+4915199990000";
    public const string Issuer = "goldbach-test";
    public const string Audience = "urn:goldbach:staff";
    public const string SigningKey = "test-signing-key-0123456789-0123456789-0123456789";

    /// <summary>The tests' key for keyed hashes in telemetry (outside Development every host needs one).</summary>
    public const string RedactionKey = "dGVzdC1yZWRhY3Rpb24ta2V5LW9ubHktZm9yLXRoZS10ZXN0cy0wMTIzNDU2Nzg5";

    private readonly string _contentRoot = Directory.CreateTempSubdirectory("goldbach-test-").FullName;
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..20];
    private readonly int _siloPort = FreePort.Next();
    private readonly int _siloGatewayPort = FreePort.Next();
    private readonly HttpClient _http = new();
    private WebApplication? _silo;
    private readonly List<SiloProcess> _siloProcesses = [];
    private WebApplication? _gateway;
    private WebApplication? _simulator;
    private readonly bool _storageOnDisk;

    /// <summary>The system; with <paramref name="storageOnDisk"/>, storage can be killed and restarted.</summary>
    protected LocalSystemHost(bool storageOnDisk) => _storageOnDisk = storageOnDisk;

    /// <summary>The system with storage in memory (the fastest).</summary>
    public static LocalSystemHost Create() => new(storageOnDisk: false);

    public Azurite Storage { get; private set; } = null!;

    public Uri GatewayHttp { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    public Uri GatewayGrpc { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    public Uri Simulator { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    public Uri WebhookUrl => new(GatewayHttp, WebhookEndpointsPath);

    public SentMessageLog SentMessages => _simulator!.Services.GetRequiredService<SentMessageLog>();

    /// <summary>The mark-as-read calls (with or without the typing indicator) the WhatsApp stand-in accepted.</summary>
    public ReadReceiptLog ReadReceipts => _simulator!.Services.GetRequiredService<ReadReceiptLog>();

    /// <summary>
    /// What the stand-in enforces and which faults it injects. Tests post citizens' webhooks past the stand-in, so the
    /// 24-hour window check and the status webhooks start off; a test turns on what it exercises.
    /// </summary>
    public MetaBehaviour Meta => _simulator!.Services.GetRequiredService<MetaBehaviour>();

    /// <summary>Extra settings for the silo (<c>--Key=Value</c>), e.g. a tenant's limits.</summary>
    public List<string> SiloSettings { get; } = [];

    /// <summary>Extra settings for the gateway (<c>--Key=Value</c>).</summary>
    public List<string> GatewaySettings { get; } = [];

    /// <summary>Runs first on the in-process silo's and gateway's builders (the name says which host).</summary>
    public Action<string, WebApplicationBuilder>? ConfigureHost { get; set; }

    /// <summary>
    /// Runs the in-process silo on <paramref name="clock"/> as the town's clock, which the test moves (Orleans, its
    /// reminders and timers keep real time).
    /// </summary>
    public void UseTownClock(TimeProvider clock) => ConfigureHost = (name, builder) =>
    {
        if (name == "silo")
        {
            builder.Services.AddKeyedSingleton(GoldbachActors.Grains.GoldbachClock.Key, clock);
        }
    };

    /// <summary>The in-process silo's HTTP endpoint (health, metrics).</summary>
    public Uri SiloHttp { get; private set; } = new("http://127.0.0.1:1");

    /// <summary>The media files the stand-in serves as if citizens had sent them.</summary>
    public MediaLibrary Media => _simulator!.Services.GetRequiredService<MediaLibrary>();

    private const string WebhookEndpointsPath = "/webhooks/whatsapp";

    /// <summary>
    /// When set, storage is down while silo and gateway start, and Azurite starts this long after them (pods that
    /// restart during a storage outage).
    /// </summary>
    public TimeSpan? StorageStartsAfter { get; set; }

    /// <summary>Starts Azurite, the stand-in, the silo and the gateway.</summary>
    public async Task StartAsync()
    {
        // Gateway, stand-in and tests share this process and its two cores: enough threads from the start, so that a
        // burst of work does not stall the stand-in (whose clock measures the throughput) while the pool grows.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var location = _storageOnDisk ? Path.Combine(_contentRoot, "azurite") : null;
        Storage = StorageStartsAfter is null ? await Azurite.StartAsync(location) : Azurite.Reserve(location);
        _simulator = SimulatorApplication.Build(Options(
            $"--urls={Simulator}",
            $"--Simulator:AccessToken={AccessToken}",
            $"--Simulator:AppSecret={AppSecret}",
            $"--Simulator:WebhookUrl={WebhookUrl}",
            $"--Simulator:PhoneNumberId={Tenant}",
            "--Simulator:EnforceWindow=false",
            "--Simulator:StatusWebhooks=false",
            "--Simulator:StatusDelay=00:00:00.200"));
        await _simulator.StartAsync();
        if (StorageStartsAfter is { } delay)
        {
            // Silo and gateway start while nothing answers on storage's ports; storage comes up later.
            var storage = Task.Delay(delay).ContinueWith(_ => Storage.RestartAsync(), TaskScheduler.Default).Unwrap();
            List<Task> starting = [StartSiloAsync(), StartGatewayAsync(), storage];
            while (starting.Count > 0)
            {
                // A host that fails to start fails the test at once; the others would wait for it forever.
                var done = await Task.WhenAny(starting).WaitAsync(TimeSpan.FromMinutes(3));
                await done;
                starting.Remove(done);
            }
        }
        else
        {
            await StartSiloAsync();
            await StartGatewayAsync();
        }
    }

    private async Task StartGatewayAsync()
    {
        _gateway = GatewayApplication.Build(Options([
            $"--Kestrel:Endpoints:Http:Url={GatewayHttp}",
            "--Kestrel:Endpoints:Http:Protocols=Http1",
            $"--Kestrel:Endpoints:Grpc:Url={GatewayGrpc}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--WhatsApp:Webhook:AppSecret={AppSecret}",
            $"--WhatsApp:Webhook:VerifyToken={VerifyToken}",
            "--WhatsApp:Webhook:JournalReplayAfter=00:00:02",
            "--WhatsApp:Webhook:JournalSweepInterval=00:00:01",
            $"--Staff:Authentication:Issuer={Issuer}",
            $"--Staff:Authentication:Audience={Audience}",
            $"--Staff:Authentication:SigningKey={SigningKey}",
            $"--WebInbox:Path={Path.Combine(RepositoryRoot.Path, "artifacts", "web-inbox")}",
            .. GatewaySettings]), builder => ConfigureHost?.Invoke("gateway", builder));
        await _gateway.StartAsync();
    }

    /// <summary>Starts a silo (again): same service, same storage, so state written before is read back.</summary>
    public async Task StartSiloAsync()
    {
        var httpPort = FreePort.Next();
        SiloHttp = new Uri($"http://127.0.0.1:{httpPort}");
        _silo = SiloApplication.Build(Options([.. SiloArguments(httpPort, _siloPort, _siloGatewayPort)]), builder => ConfigureHost?.Invoke("silo", builder));
        await _silo.StartAsync();
    }

    /// <summary>
    /// Stops the in-process silo and runs the silo as its own process instead (the built
    /// <c>GoldbachActors.Silo.dll</c>, same settings), so that a test can kill it as an operating system would.
    /// </summary>
    public async Task StartSiloProcessAsync()
    {
        await StopSiloAsync();
        await AddSiloProcessAsync();
    }

    /// <summary>
    /// Starts one more silo as its own process on fresh ports (the cluster grows by one), ready when this returns.
    /// The in-process silo, if any, keeps running.
    /// </summary>
    public async Task<SiloProcess> AddSiloProcessAsync()
    {
        var httpPort = FreePort.Next();
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var directory = Path.Combine(RepositoryRoot.Path, "src", "Silo", "bin", configuration, "net10.0");
        // Fresh silo ports: the gateway finds silos through the membership table, and a port the previous silo just
        // closed may not be free again yet.
        var siloPort = FreePort.Next();
        var silo = SiloProcess.Start(directory, httpPort, siloPort, Options([.. SiloArguments(httpPort, siloPort, FreePort.Next())]).Args!);
        _siloProcesses.Add(silo);
        await silo.WaitUntilReadyAsync(_http, TimeSpan.FromSeconds(150));
        return silo;
    }

    /// <summary>The silo processes started and not stopped, oldest first.</summary>
    public IReadOnlyList<SiloProcess> SiloProcesses => _siloProcesses;

    /// <summary>The (last started) silo process's HTTP endpoint (health, metrics, dashboard).</summary>
    public Uri? SiloProcessHttp => _siloProcesses.Count > 0 ? _siloProcesses[^1].Http : null;

    /// <summary>Sends the silo process SIGTERM, as Kubernetes does to stop a pod; it shuts down gracefully.</summary>
    public void TerminateSiloProcess() =>
        (_siloProcesses.Count > 0 ? _siloProcesses[^1] : throw new InvalidOperationException("No silo process runs.")).Terminate();

    /// <summary>Waits for the silo process to exit and returns its exit code.</summary>
    public async Task<int> WaitForSiloProcessExitAsync(TimeSpan timeout)
    {
        var silo = _siloProcesses.Count > 0 ? _siloProcesses[^1] : throw new InvalidOperationException("No silo process runs.");
        var code = await silo.WaitForExitAsync(timeout);
        _siloProcesses.Remove(silo);
        silo.Dispose();
        return code;
    }

    /// <summary>Kills the silo process (SIGKILL): no shutdown at all.</summary>
    public async Task KillSiloProcessAsync()
    {
        foreach (var silo in _siloProcesses.ToList())
        {
            await KillSiloProcessAsync(silo);
        }
    }

    /// <summary>Kills one silo process (SIGKILL), as a lost machine would.</summary>
    public async Task KillSiloProcessAsync(SiloProcess silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await silo.KillAsync();
        _siloProcesses.Remove(silo);
        silo.Dispose();
    }

    private string[] SiloArguments(int httpPort, int siloPort, int gatewayPort) =>
        [
            $"--urls=http://127.0.0.1:{httpPort}",
            $"--Orleans:SiloPort={siloPort}",
            $"--Orleans:GatewayPort={gatewayPort}",
            $"--WhatsApp:GraphApi:BaseUrl={Simulator}",
            $"--WhatsApp:GraphApi:AccessToken={AccessToken}",
            // Short enough for tests to see timeouts, ambiguous sends and an open circuit resolve.
            "--WhatsApp:GraphApi:AttemptTimeout=00:00:02",
            "--WhatsApp:GraphApi:AmbiguousSendGrace=00:00:05",
            "--WhatsApp:GraphApi:CircuitBreakDuration=00:00:03",
            .. SiloSettings,
        ];

    /// <summary>
    /// Stops the silo without a graceful shutdown, as a crash would: no deactivation, no goodbye to the cluster.
    /// What the grains wrote before stays in storage.
    /// </summary>
    public async Task CrashSiloAsync()
    {
        if (_silo is not null)
        {
            using var crashed = new CancellationTokenSource();
            await crashed.CancelAsync();
            try
            {
                await _silo.StopAsync(crashed.Token);
            }
            catch (OperationCanceledException)
            {
            }
            await _silo.DisposeAsync();
            _silo = null;
        }
    }

    /// <summary>Stops the silo gracefully (its activations are gone; storage keeps their state).</summary>
    public async Task StopSiloAsync()
    {
        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
            _silo = null;
        }
    }

    /// <summary>A webhook as Meta sends it for one text message from <paramref name="phone"/> (E.164).</summary>
    public static byte[] TextWebhook(string phone, string text, string? wamid = null, string? name = "Erika Mustermann", DateTimeOffset? at = null)
    {
        var settings = new SimulatorOptions { PhoneNumberId = Tenant };
        var waId = phone.TrimStart('+');
        var payload = CitizenPhoneEndpoints.WebhookPayloadFor(
            settings, waId, CitizenPhoneEndpoints.BusinessScopedUserIdFor(waId), name ?? "", wamid ?? NewWamid(), text, at ?? DateTimeOffset.UtcNow);
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }

    public static string NewWamid() => $"wamid.test{Guid.NewGuid():N}";

    /// <summary>
    /// Has the WhatsApp stand-in post a signed webhook (<c>/simulator/citizens/messages</c> for a citizen,
    /// <c>/simulator/business-app/messages</c> for the Business app), checks the gateway took it, waits until it is
    /// recorded and returns the message's wamid.
    /// </summary>
    public async Task<string> SendThroughStandInAsync(string path, object message)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(Simulator, path), message);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (answer.GetProperty("gatewayStatus").GetInt32() != 200)
        {
            throw new InvalidOperationException($"The gateway answered the stand-in's webhook with {answer.GetProperty("gatewayStatus").GetInt32()}.");
        }
        await WaitUntilRecordedAsync();
        return answer.GetProperty("whatsAppMessageId").GetString()!;
    }

    /// <summary>
    /// Posts a body to the webhook, signed correctly unless a signature is given (or null for none). The gateway
    /// answers once the body is journaled and records it right after; by default this waits for that too, so that
    /// a test can look at what was stored.
    /// </summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string? signature = "", bool waitUntilRecorded = true)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            content.Headers.Add(WebhookSignature.HeaderName, signature.Length == 0 ? new WebhookSignature(AppSecret).Sign(body) : signature);
        }
        var response = await _http.PostAsync(WebhookUrl, content);
        if (waitUntilRecorded)
        {
            await WaitUntilRecordedAsync();
        }
        return response;
    }

    /// <summary>The gateway's Orleans client: calls the grains directly, as the gateway does.</summary>
    /// <summary>The in-process silo's services (its grain storage, serializer, …).</summary>
    public IServiceProvider SiloServices => _silo?.Services ?? throw new InvalidOperationException("No in-process silo runs.");

    public IClusterClient Cluster => _gateway!.Services.GetRequiredService<IClusterClient>();

    /// <summary>The gateway's journal of answered webhooks.</summary>
    public WebhookJournal Journal => _gateway!.Services.GetRequiredService<WebhookJournal>();

    /// <summary>
    /// Waits until the gateway has recorded every webhook it answered (or given them to its sweeper); throws
    /// <see cref="TimeoutException"/> after a minute.
    /// </summary>
    public async Task WaitUntilRecordedAsync()
    {
        var processor = _gateway!.Services.GetRequiredService<WebhookProcessor>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (processor.Pending > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{processor.Pending} webhooks still not recorded after 60 s.");
            }
            await Task.Delay(5);
        }
    }

    public Task<HttpResponseMessage> GetAsync(string relative) => _http.GetAsync(new Uri(GatewayHttp, relative));

    /// <summary>The staff API as a staff member with this role and tenant (a token minted like the CLI does).</summary>
    public StaffService.StaffServiceClient Staff(string staffId = "staff-01", string role = StaffRoles.Agent, string tenant = Tenant) =>
        StaffWithToken(Token(staffId, role, tenant));

    public static string Token(string staffId, string role, string tenant, TimeSpan? lifetime = null, string? department = null) =>
        new DevelopmentTokenIssuer(Issuer, Audience, SigningKey, TimeProvider.System)
            .Mint(staffId, role, tenant, lifetime ?? TimeSpan.FromMinutes(10), department);

    public StaffService.StaffServiceClient StaffWithToken(string? token)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            if (token is not null)
            {
                metadata.Add("Authorization", $"Bearer {token}");
            }
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(GatewayGrpc, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        return new StaffService.StaffServiceClient(channel);
    }

    public static string ConversationName(string phone) =>
        CitizenKey.Create(Tenant, CitizenPhoneEndpoints.BusinessScopedUserIdFor(phone.TrimStart('+'))).ResourceName;

    /// <summary>
    /// After a settings change: new citizens write, one every half second (numbers <c>+49151123{prefix}NN</c>), until
    /// one gets an acknowledgement that <paramref name="changed"/> accepts. Returns it and how long the change took to
    /// reach the silo that answered; fails after <paramref name="limit"/>.
    /// </summary>
    public async Task<(string Text, TimeSpan Delay)> FirstChangedAcknowledgementAsync(string prefix, Func<string?, bool> changed, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var started = DateTimeOffset.UtcNow;
        for (var i = 0; ; i++)
        {
            var phone = $"+49151123{prefix}{i:D2}";
            using (await PostWebhookAsync(TextWebhook(phone, "Wann hat das Rathaus offen?")))
            {
            }
            var sent = await WaitForSentAsync(phone, 1);
            var delay = DateTimeOffset.UtcNow - started;
            if (changed(sent[0].Text))
            {
                return (sent[0].Text!, delay);
            }
            if (delay > limit)
            {
                throw new TimeoutException($"After {delay.TotalSeconds:F1} s citizens are still acknowledged with the old settings.");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Waits until the stand-in holds at least <paramref name="count"/> messages to <paramref name="phone"/> and
    /// returns them; throws <see cref="TimeoutException"/> when the time is up first.
    /// </summary>
    public async Task<IReadOnlyList<SentMessage>> WaitForSentAsync(string phone, int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var sent = SentMessages.List(phone);
            if (sent.Count >= count)
            {
                return sent;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{sent.Count} of {count} messages sent within {limit.TotalSeconds:F0} s.");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
    }

    private async Task StopAsync()
    {
        await KillSiloProcessAsync();
        foreach (var app in new[] { _gateway, _silo, _simulator })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        await Storage.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_contentRoot, recursive: true);
    }

    private WebApplicationOptions Options(params string[] args) => new()
    {
        Args =
        [
            $"--ConnectionStrings:Storage={Storage.ConnectionString}",
            $"--Orleans:ClusterId={_clusterId}",
            "--Orleans:ServiceId=goldbach-test",
            $"--Goldbach:Tenants:{Tenant}:Name=Markt Goldbach",
            $"--Goldbach:Tenants:{Tenant}:AcknowledgementText={AcknowledgementText}",
            $"--Goldbach:Tenants:{Tenant}:StaffNumbers:0={StaffNumber}",
            $"--Goldbach:Tenants:{Tenant}:CannedReplies:0:Title=Weitergeleitet",
            $"--Goldbach:Tenants:{Tenant}:CannedReplies:0:Text=Vielen Dank, {{name}}! Wir kümmern uns.",
            $"--Goldbach:Tenants:{Tenant}:Lists:kitzrettung:Name=Kitzrettung Goldbach",
            $"--Goldbach:Tenants:{Tenant}:Lists:kitzrettung:Keywords:de:0=START KITZ",
            $"--Goldbach:Tenants:{Tenant}:Lists:kitzrettung:Templates:de:Name=neuigkeiten_liste",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Name=Informationen für Geflüchtete",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Languages:0=uk",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Languages:1=de",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Languages:2=en",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Keywords:uk:0=СТАРТ",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Keywords:de:0=START INFO",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Keywords:en:0=JOIN INFO",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Templates:uk:Name=novyny_hromady",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Templates:uk:Language=uk",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Templates:de:Name=neuigkeiten_liste",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Templates:en:Name=list_news",
            $"--Goldbach:Tenants:{Tenant}:Lists:ukraine-info:Templates:en:Language=en",
            $"--Goldbach:Tenants:{Tenant}:MessagingLimit=100000",
            $"--Telemetry:Redaction:Key={RedactionKey}",
            "--Logging:LogLevel:Default=Warning",
            // Last, so that a test's own settings win over these defaults.
            .. args,
        ],
        EnvironmentName = "Testing",
        ContentRootPath = _contentRoot,
    };
}
