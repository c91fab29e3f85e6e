using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>End-to-end tests share one running system; each test uses its own citizens.</summary>
[CollectionDefinition(Name)]
public sealed class LocalSystemCollection : ICollectionFixture<LocalSystem>
{
    public const string Name = "local system";
}
