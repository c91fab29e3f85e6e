using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoldbachActors.Gateway;

/// <summary>The gateway reaches a silo: one management call (the active silos), 3 s at most.</summary>
internal sealed class ClusterHealthCheck(IClusterClient cluster) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var silos = await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken).WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            return silos.Count > 0 ? HealthCheckResult.Healthy($"{silos.Count} active silo(s).") : HealthCheckResult.Unhealthy("No active silo.");
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or OperationCanceledException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"No silo reachable: {ex.GetType().Name}.");
        }
    }
}
