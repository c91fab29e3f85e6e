using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace GoldbachActors.ServiceDefaults;

/// <summary>
/// Kubernetes' three probes and a graceful stop. <c>/health/startup</c>: the host has started.
/// <c>/health/live</c>: the process is not stuck (nothing external is checked, so a storage outage never restarts
/// pods). <c>/health/ready</c>: every check tagged "ready" passes (storage; for the gateway the cluster) and the host is
/// not shutting down.
/// </summary>
public static class HealthHostingExtensions
{
    public const string Startup = "startup";
    public const string Live = "live";
    public const string Ready = "ready";

    public static IHostApplicationBuilder AddGoldbachHealth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Kubernetes' terminationGracePeriodSeconds must be longer than this (see deploy/k8s).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout =
            builder.Configuration.GetValue("Shutdown:Timeout", TimeSpan.FromSeconds(120)));
        builder.Services.AddSingleton(new ShutdownReadiness(builder.Configuration.GetValue("Shutdown:DrainDelay", TimeSpan.FromSeconds(5))));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ShutdownReadiness>());
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [Live])
            .AddCheck<ShutdownReadiness>("started", tags: [Startup])
            .Add(new HealthCheckRegistration("not-shutting-down", sp => sp.GetRequiredService<ShutdownReadiness>(), null, [Ready]));
        return builder;
    }

    /// <summary>Readiness also checks the storage account (one small table query, 3 s at most).</summary>
    public static IHostApplicationBuilder AddStorageReadiness(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [Ready], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    public static WebApplication MapGoldbachHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/startup", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Startup) });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Live) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
        return app;
    }
}

/// <summary>
/// Started once the host has started; on a stop (SIGTERM) not ready at once, then the host waits
/// <c>Shutdown:DrainDelay</c> (default 5 s) still serving, so that load balancers take it out of rotation before
/// Kestrel stops accepting connections and the host drains.
/// </summary>
public sealed class ShutdownReadiness(TimeSpan drainDelay) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _started;
    private volatile bool _stopping;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = context.Registration.Tags.Contains(HealthHostingExtensions.Startup)
            ? (_started ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Starting."))
            : (_stopping ? HealthCheckResult.Unhealthy("Shutting down.") : HealthCheckResult.Healthy());
        return Task.FromResult(result);
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _started = true;
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        try
        {
            await Task.Delay(drainDelay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The storage account answers (Azure Table service; Azurite locally).</summary>
internal sealed class StorageHealthCheck(TableServiceClient tables) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).WithCancellation(cancellationToken))
            {
                break;
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or OperationCanceledException or AggregateException)
        {
            return HealthCheckResult.Unhealthy($"Azure Table storage does not answer: {ex.GetType().Name}.");
        }
    }
}
