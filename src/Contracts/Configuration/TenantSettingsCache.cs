using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Contracts.Configuration;

/// <summary>
/// Every host's copy of the tenants' settings: the stored ones (<see cref="ITenantSettingsGrain"/>), or the
/// configuration's seed for a tenant nobody has saved yet. It polls the directory's versions every
/// <see cref="SettingsOptions.PollInterval"/> and fetches only a tenant whose version moved, so a change reaches every
/// silo and gateway within seconds. Polling rather than observers: it needs no re-subscription after a silo dies or a
/// client reconnects, and a missed tick is made good by the next one.
/// </summary>
public sealed partial class TenantSettingsCache(
    IGrainFactory grains, IOptions<GoldbachOptions> configured, IOptions<SettingsOptions> settings, ILogger<TenantSettingsCache> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, (long Version, TenantOptions Settings)> _stored = new(StringComparer.Ordinal);

    /// <summary>The tenant's settings, or null when no tenant owns this <c>phone_number_id</c>.</summary>
    public TenantOptions? Find(string tenant) =>
        _stored.TryGetValue(tenant, out var stored) ? stored.Settings : configured.Value.Find(tenant);

    /// <summary>The current version of the tenant's settings (0: the configuration's seed).</summary>
    public long VersionOf(string tenant) => _stored.TryGetValue(tenant, out var stored) ? stored.Version : 0;

    /// <summary>Every tenant this deployment serves: the configured ones and those created at run time.</summary>
    public IReadOnlyCollection<string> Tenants => [.. configured.Value.Tenants.Keys.Union(_stored.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Takes a version this host just saved at once (the others see it at their next poll).</summary>
    public void Accept(string tenant, TenantSettingsVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        Store(tenant, version);
    }

    /// <summary>Reads the versions and fetches every tenant that changed since the last read.</summary>
    public async Task RefreshAsync()
    {
        var versions = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).GetVersionsAsync();
        foreach (var (tenant, version) in versions)
        {
            if (VersionOf(tenant) < version && await grains.GetGrain<ITenantSettingsGrain>(tenant).GetAsync() is { } current)
            {
                Store(tenant, current);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, settings.Value.PollInterval.Ticks)));
        do
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Before the cluster is up, or during a storage outage: keep what is known and try at the next tick.
                LogRefreshFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Store(string tenant, TenantSettingsVersion version)
    {
        var parsed = TenantSettingsDocument.Deserialize(version.Document);
        _stored.AddOrUpdate(tenant, (version.Version, parsed), (_, old) => old.Version >= version.Version ? old : (version.Version, parsed));
        LogChanged(logger, tenant, version.Version);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: settings version {Version} in use.")]
    private static partial void LogChanged(ILogger logger, string tenant, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the tenants' stored settings failed ({Error}: {Detail}); the settings known so far stay in use.")]
    private static partial void LogRefreshFailed(ILogger logger, string error, string detail);
}

/// <summary>How hosts follow changes to the stored settings (<c>Goldbach:Settings</c>).</summary>
public sealed class SettingsOptions
{
    public const string SectionName = "Goldbach:Settings";

    /// <summary>How often every host asks whether a tenant's settings changed (at least every 100 ms).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
}
