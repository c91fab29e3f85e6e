using GoldbachActors.Testing;

namespace GoldbachActors.Tests.Infrastructure;

/// <summary>The whole system on real sockets as an xunit fixture (see <see cref="LocalSystemHost"/>).</summary>
public sealed class LocalSystem : LocalSystemHost, IAsyncLifetime
{
    /// <summary>The system with storage in memory (the fastest).</summary>
    public LocalSystem()
        : base(storageOnDisk: false)
    {
    }

    internal LocalSystem(bool storageOnDisk)
        : base(storageOnDisk)
    {
    }

    public Task InitializeAsync() => StartAsync();

    /// <summary>
    /// The system with the local OpenID provider as the only way in (no development key), as in Production; the
    /// provider's callbacks go to the gateway's web inbox.
    /// </summary>
    public static async Task<(LocalSystem System, IdentityProvider Provider)> WithProviderOnlyAsync()
    {
        var system = new LocalSystem();
        var provider = await IdentityProvider.StartAsync(system.GatewayHttp.ToString());
        system.GatewaySettings.AddRange(provider.GatewaySettings(Tenant));
        system.GatewaySettings.Add("--Staff:Authentication:SigningKey=");
        await system.InitializeAsync();
        return (system, provider);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
