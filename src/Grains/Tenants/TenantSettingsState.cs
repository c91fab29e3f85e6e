using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Tenants;

/// <summary>A tenant's stored settings and the recent changes to them (grain storage <c>tenants</c>, with its ETag).</summary>
[GenerateSerializer, Alias("goldbach.TenantSettingsState")]
public sealed class TenantSettingsState
{
    /// <summary>1 with the first save; 0 while only the configuration's seed exists.</summary>
    [Id(0)] public long Version { get; set; }

    /// <summary>The settings as JSON (the configuration section's shape); null before the first save.</summary>
    [Id(1)] public string? Document { get; set; }

    [Id(2)] public DateTimeOffset? ChangedAt { get; set; }

    /// <summary>The newest changes, newest first, at most <see cref="TenantSettingsGrain.HistoryLength"/>.</summary>
    [Id(3)] public List<TenantSettingsChange> History { get; set; } = [];
}

/// <summary>The stored tenants' settings versions (grain storage <c>tenants</c>).</summary>
[GenerateSerializer, Alias("goldbach.TenantDirectoryState")]
public sealed class TenantDirectoryState
{
    [Id(0)] public Dictionary<string, long> Versions { get; set; } = [];
}
