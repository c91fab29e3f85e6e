using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Privacy;

/// <summary>
/// At silo start-up, makes sure every tenant's retention reminder exists (registering it is idempotent; any silo may do
/// it). Runs in the background: storage being slow at start-up delays it, never the silo.
/// </summary>
public sealed partial class RetentionScheduler(
    IGrainFactory grains, IOptions<GoldbachOptions> options, ILogger<RetentionScheduler> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        observer.Subscribe<RetentionScheduler>(ServiceLifecycleStage.Active, cancellationToken =>
        {
            _ = Task.Run(() => ScheduleAsync(CancellationToken.None), CancellationToken.None);
            return Task.CompletedTask;
        });
    }

    private async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        // The configured tenants and those an operator created at run time.
        var stored = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).GetVersionsAsync();
        foreach (var tenant in options.Value.Tenants.Keys.Union(stored.Keys, StringComparer.Ordinal))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await grains.GetGrain<IRetentionGrain>(tenant).EnsureScheduledAsync();
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRetry(ex.GetType().Name, attempt);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30 * attempt, 600)), cancellationToken);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention reminder not registered yet ({Error}, attempt {Attempt}); trying again")]
    private partial void LogRetry(string error, int attempt);
}
