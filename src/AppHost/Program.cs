using System.Net.Sockets;
using GoldbachActors.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

// The local system: Azurite (storage, data under .data/azurite), the WhatsApp stand-in, the silo and the gateway,
// all on 127.0.0.1, with the Aspire dashboard showing their traces, metrics and logs.
var builder = DistributedApplication.CreateBuilder(args);
var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
// GOLDBACH_DATA_DIR lets the run-command smoke test keep its data away from the developer's.
var dataDirectory = Environment.GetEnvironmentVariable("GOLDBACH_DATA_DIR") ?? Path.Combine(root, ".data", "azurite");
Directory.CreateDirectory(dataDirectory);

const int TablePort = 10002;
builder.Services.AddHealthChecks().AddCheck("azurite-tables", () => IsListening(TablePort)
    ? HealthCheckResult.Healthy()
    : HealthCheckResult.Unhealthy($"Azurite does not listen on 127.0.0.1:{TablePort} yet."));

var azurite = builder.AddExecutable(
        "azurite",
        Path.Combine(root, "node_modules", ".bin", "azurite"),
        root,
        "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--location", dataDirectory,
        "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1")
    .WithHealthCheck("azurite-tables");

const string Storage = "UseDevelopmentStorage=true";
var webhookUrl = new Uri($"http://127.0.0.1:{LocalDevelopment.GatewayHttpPort}/webhooks/whatsapp").ToString();
var siloPort = LocalDevelopment.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
var siloGatewayPort = LocalDevelopment.SiloGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

var simulator = builder.AddProject<Projects.GoldbachActors_WhatsAppSimulator>("whatsapp-simulator", launchProfileName: null)
    .WithHttpEndpoint(port: LocalDevelopment.SimulatorPort, isProxied: false)
    .WithEnvironment("Simulator__AccessToken", LocalDevelopment.AccessToken)
    .WithEnvironment("Simulator__AppSecret", LocalDevelopment.AppSecret)
    .WithEnvironment("Simulator__WebhookUrl", webhookUrl)
    .WithEnvironment("Simulator__PhoneNumberId", LocalDevelopment.TenantId)
    .WithHttpHealthCheck("/health/ready");

var silo = builder.AddProject<Projects.GoldbachActors_Silo>("silo", launchProfileName: null)
    .WithHttpEndpoint(port: LocalDevelopment.SiloHttpPort, isProxied: false)
    .WithEnvironment("ConnectionStrings__Storage", Storage)
    .WithEnvironment("Orleans__SiloPort", siloPort)
    .WithEnvironment("Orleans__GatewayPort", siloGatewayPort)
    .WithEnvironment("WhatsApp__GraphApi__BaseUrl", LocalDevelopment.SimulatorUrl.ToString())
    .WithEnvironment("WhatsApp__GraphApi__AccessToken", LocalDevelopment.AccessToken)
    .WithHttpHealthCheck("/health/ready")
    .WaitFor(azurite);

// The local OpenID provider (oidc-provider with the demo staff; its signing keys kept in .data across restarts):
// staff sign in to the web inbox there, and the CLI with goldbach login.
var inbox = new Uri($"http://127.0.0.1:{LocalDevelopment.GatewayHttpPort}/");
var identityProvider = builder.AddExecutable(
        "identity-provider", "node", root,
        Path.Combine("src", "IdentityProvider", "provider.mjs"),
        "--port", LocalDevelopment.IdentityProviderPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--issuer", LocalDevelopment.IdentityProviderUrl.ToString().TrimEnd('/'),
        "--audience", LocalDevelopment.StaffAudience,
        "--redirect", inbox.ToString(),
        "--keys-file", Path.Combine(root, ".data", "identity-provider-keys.json"))
    .WithHttpEndpoint(port: LocalDevelopment.IdentityProviderPort, isProxied: false)
    .WithHttpHealthCheck("/.well-known/openid-configuration");

// The local push service (Web Push with VAPID and aes128gcm, as browsers' push services speak it): a device
// subscribed there shows what the duty phone would get (docs/web-inbox.md, "Bereitschaft").
var pushService = builder.AddExecutable(
        "push-service", "node", root, Path.Combine("src", "PushService", "push-service.mjs"),
        "--port", LocalDevelopment.PushServicePort.ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithHttpEndpoint(port: LocalDevelopment.PushServicePort, isProxied: false)
    .WithHttpHealthCheck("/health");
silo.WaitFor(pushService);
foreach (var (key, value) in LocalDevelopment.PushSettings())
{
    silo.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
}

// The local mail server (nodemailer's smtp-server): new requests are mailed to their departments through it, and
// its page shows what they were sent.
var mailServer = builder.AddExecutable(
        "mail-server", "node", root, Path.Combine("src", "MailServer", "mail-server.mjs"),
        "--smtp-port", LocalDevelopment.MailServerSmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--port", LocalDevelopment.MailServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--user", LocalDevelopment.MailUser, "--password", LocalDevelopment.MailPassword)
    .WithHttpEndpoint(port: LocalDevelopment.MailServerPort, isProxied: false)
    .WithHttpHealthCheck("/health");
silo.WaitFor(mailServer);
foreach (var (key, value) in LocalDevelopment.MailSettings(LocalDevelopment.MailServerSmtpPort, inbox))
{
    silo.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
}

// The gateway's two Kestrel endpoints (HTTP/1.1 for webhooks, h2c for gRPC) come from its appsettings.json;
// Aspire picks them up as resource endpoints. They are used as they are, without Aspire's proxy.
var gateway = builder.AddProject<Projects.GoldbachActors_Gateway>("gateway", launchProfileName: null)
    .WithEndpoint("Http", e => e.IsProxied = false)
    .WithEndpoint("Grpc", e => e.IsProxied = false)
    .WithEnvironment("ConnectionStrings__Storage", Storage)
    .WithEnvironment("WhatsApp__Webhook__AppSecret", LocalDevelopment.AppSecret)
    .WithEnvironment("WhatsApp__Webhook__VerifyToken", LocalDevelopment.VerifyToken)
    .WithEnvironment("Staff__Authentication__Issuer", LocalDevelopment.StaffIssuer)
    .WithEnvironment("Staff__Authentication__Audience", LocalDevelopment.StaffAudience)
    .WithEnvironment("Staff__Authentication__SigningKey", LocalDevelopment.StaffSigningKey)
    // The web inbox as built by run.sh (npm run web:build).
    .WithEnvironment("WebInbox__Path", Path.Combine(root, "artifacts", "web-inbox"))
    .WithHttpHealthCheck("/health/ready", endpointName: "Http")
    .WaitFor(silo)
    .WaitFor(simulator)
    .WaitFor(identityProvider);
// Staff sign in at the local provider; the development key stays for goldbach token and the CLI's default.
foreach (var (key, value) in LocalDevelopment.IdentityProviderSettings(LocalDevelopment.IdentityProviderUrl))
{
    gateway.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
}

// Silo and gateway read the same tenant configuration, with the demo street list (deploy/streets).
foreach (var (key, value) in LocalDevelopment.TenantConfiguration()
    .Append(KeyValuePair.Create($"Goldbach:Tenants:{LocalDevelopment.TenantId}:StreetListFile", Path.Combine(root, "deploy", "streets", "markt-goldbach.csv"))))
{
    silo.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
    gateway.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
}

// One key for citizens' identifiers in telemetry across all hosts, so that their hashes correlate. The hosts run as
// Development: the local secrets above are published in this repository, and Production refuses them.
foreach (var host in new[] { silo, gateway, simulator })
{
    host.WithEnvironment("Telemetry__Redaction__Key", LocalDevelopment.RedactionKey)
        .WithEnvironment("DOTNET_ENVIRONMENT", "Development")
        .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");
}
// The Orleans Dashboard on the silo (http://127.0.0.1:7090/dashboard/), behind Basic authentication.
silo.WithEnvironment("Dashboard__Password", LocalDevelopment.DashboardPassword);

builder.Build().Run();

static bool IsListening(int port)
{
    try
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        return true;
    }
    catch (SocketException)
    {
        return false;
    }
}
