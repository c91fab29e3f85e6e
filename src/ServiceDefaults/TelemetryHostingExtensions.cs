using GoldbachActors.Contracts.Privacy;
using GoldbachActors.ServiceDefaults.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GoldbachActors.ServiceDefaults;

/// <summary>OpenTelemetry, redaction of personal data, health endpoints and graceful shutdown, the same in every host.</summary>
public static class TelemetryHostingExtensions
{
    /// <summary>The Prometheus scrape endpoint on every host's HTTP port.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Logs, metrics and traces through OpenTelemetry: ASP.NET Core (gRPC server calls included), HttpClient, Orleans
    /// and ours. Exported over OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the local Aspire
    /// dashboard sets it), and scraped by Prometheus at <see cref="MetricsPath"/>. Citizens' identifiers never leave in
    /// clear: classified log parameters are redacted, and every log entry and span passes the
    /// <see cref="PersonalDataScrubber"/>.
    /// </summary>
    public static IHostApplicationBuilder AddGoldbachTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddGoldbachRedaction();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(
                    serviceName,
                    serviceVersion: typeof(TelemetryHostingExtensions).Assembly.GetName().Version?.ToString(),
                    // The pod's name in Kubernetes, else machine and process: one instance, one id.
                    serviceInstanceId: Environment.GetEnvironmentVariable("POD_NAME") ?? $"{Environment.MachineName}-{Environment.ProcessId}")
                .AddAttributes([new("deployment.environment.name", builder.Environment.EnvironmentName)]))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // Polly: the Graph API pipeline's retries and circuit breaker (resilience_polly_strategy_events).
                .AddMeter("Microsoft.Orleans", Contracts.Diagnostics.GoldbachActivity.MeterName, "Polly")
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(Contracts.Diagnostics.GoldbachActivity.SourceName)
                .AddSource("Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Lifecycle", "Microsoft.Orleans.Storage")
                .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)
                    && !context.Request.Path.StartsWithSegments(MetricsPath, StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddProcessor(sp => new ScrubbingActivityProcessor(sp.GetRequiredService<PersonalDataScrubber>())));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
        builder.AddGoldbachHealth();
        ScrubEveryLoggingProvider(builder.Services);
        return builder;
    }

    /// <summary>
    /// Redaction of classified data (<see cref="GoldbachTaxonomy"/>): identifiers become an HMAC with the secret
    /// <c>Telemetry:Redaction:Key</c> (base64, at least 44 characters; the same in every host so that hashes correlate),
    /// message content is erased, anything else classified is erased too.
    /// </summary>
    public static IHostApplicationBuilder AddGoldbachRedaction(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Telemetry:Redaction");
        var key = section["Key"];
        if (string.IsNullOrWhiteSpace(key))
        {
            // Only on a developer's machine: the local key is published, so its hashes would be reversible by anyone.
            if (!builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"Telemetry:Redaction:Key is not set (environment {builder.Environment.EnvironmentName}). Set it (environment variable Telemetry__Redaction__Key) to a secret of at " +
                    "least 32 random bytes in base64, e.g. from 'openssl rand -base64 48', the same for every silo and gateway.");
            }
            key = LocalDevelopment.RedactionKey;
        }
        var keyId = int.TryParse(section["KeyId"], out var id) ? id : 1;
        builder.Services.AddRedaction(redaction => redaction
            .SetHmacRedactor(o =>
            {
                o.Key = key;
                o.KeyId = keyId;
            }, GoldbachTaxonomy.PersonalIdentifier)
            .SetRedactor<ErasingRedactor>(GoldbachTaxonomy.MessageContent)
            .SetFallbackRedactor<ErasingRedactor>());
        builder.Logging.EnableRedaction();

        var businessNumbers = builder.Configuration.GetSection("Goldbach:Tenants").GetChildren().Select(t => t.Key)
            .Append(builder.Configuration["Simulator:PhoneNumberId"] ?? "")
            .Where(n => n.Length > 0)
            .ToArray();
        builder.Services.AddSingleton(sp => new PersonalDataScrubber(sp.GetRequiredService<IRedactorProvider>(), businessNumbers));
        return builder;
    }

    // Every provider registered so far (console, OpenTelemetry, debug) writes only scrubbed entries.
    private static void ScrubEveryLoggingProvider(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(ILoggerProvider) || descriptor.IsKeyedService)
            {
                continue;
            }
            services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => new ScrubbingLoggerProvider(
                (ILoggerProvider)(descriptor.ImplementationInstance
                    ?? descriptor.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!)),
                sp.GetRequiredService<PersonalDataScrubber>()));
        }
    }

    /// <summary>The health endpoints and the Prometheus scrape endpoint.</summary>
    public static WebApplication MapGoldbachOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGoldbachHealth();
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
