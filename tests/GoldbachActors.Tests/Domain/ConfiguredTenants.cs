using GoldbachActors.Contracts.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Tests.Domain;

/// <summary>The settings cache of a host that has only the configured seeds (no cluster is asked, nothing is stored).</summary>
internal static class ConfiguredTenants
{
    public static TenantSettingsCache Cache(GoldbachOptions configured) =>
        new(null!, Options.Create(configured), Options.Create(new SettingsOptions()), NullLogger<TenantSettingsCache>.Instance);
}
