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

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
