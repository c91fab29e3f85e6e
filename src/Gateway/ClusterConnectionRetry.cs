namespace GoldbachActors.Gateway;

/// <summary>
/// The gateway keeps trying to reach the cluster at start (storage or the silos may still be coming up after an
/// outage) instead of failing and being restarted: every attempt after a growing pause of at most 10 s, until the
/// host stops. Kubernetes' startup probe bounds the wait.
/// </summary>
internal sealed partial class ClusterConnectionRetry(ILogger<ClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(10);
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        var pause = TimeSpan.FromMilliseconds(Math.Min(MaxPause.TotalMilliseconds, 500 * attempt));
        LogRetrying(attempt, exception.GetType().Name, pause.TotalSeconds);
        try
        {
            await Task.Delay(pause, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster not reachable yet (attempt {Attempt}, {ExceptionType}); trying again in {Seconds} s")]
    private partial void LogRetrying(int attempt, string exceptionType, double seconds);
}
