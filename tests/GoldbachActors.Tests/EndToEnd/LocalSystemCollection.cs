using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>End-to-end tests share one running system; each test uses its own citizens.</summary>
[CollectionDefinition(Name)]
public sealed class LocalSystemCollection : ICollectionFixture<LocalSystem>
{
    public const string Name = "local system";
}

/// <summary>
/// Timing-sensitive tests (pacing to the millisecond) run alone, after the parallel ones, so that other tests' load
/// does not stand in for the network's jitter.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitiveCollection
{
    public const string Name = "timing sensitive";
}
