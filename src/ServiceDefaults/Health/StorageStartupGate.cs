using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.ServiceDefaults;

/// <summary>
/// Runs first at start: waits until storage answers (the readiness check's query), trying again after a growing pause
/// of at most 10 s, so that a host started during a storage or DNS outage comes up when storage does instead of
/// failing in Orleans' membership set-up and being restarted over and over. Kubernetes' startup probe bounds the wait.
/// </summary>
internal sealed partial class StorageStartupGate(StorageHealthCheck storage, ILogger<StorageStartupGate> logger) : IHostedService
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("storage", storage, HealthStatus.Unhealthy, tags: null),
        };
        for (var attempt = 1; ; attempt++)
        {
            var result = await storage.CheckHealthAsync(context, cancellationToken);
            if (result.Status == HealthStatus.Healthy)
            {
                if (attempt > 1)
                {
                    LogReachable(attempt);
                }
                return;
            }
            var pause = TimeSpan.FromMilliseconds(Math.Min(MaxPause.TotalMilliseconds, 500 * attempt));
            LogWaiting(attempt, result.Description ?? "no answer", pause.TotalSeconds);
            await Task.Delay(pause, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage not reachable at start (attempt {Attempt}: {Problem}); trying again in {Seconds} s")]
    private partial void LogWaiting(int attempt, string problem, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage reachable after {Attempts} attempts; starting")]
    private partial void LogReachable(int attempts);
}
