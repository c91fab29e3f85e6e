using GoldbachActors.Contracts;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Privacy;

/// <summary>The tenant's tombstone row keys in memory (see <see cref="IErasureIndexGrain"/>); a few bytes per erasure.</summary>
[Reentrant]
public sealed class ErasureIndexGrain(AzureTableErasureTombstones tombstones) : Grain, IErasureIndexGrain
{
    private readonly HashSet<string> _rowKeys = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var rowKey in await tombstones.LoadRowKeysAsync(this.GetPrimaryKeyString(), cancellationToken))
        {
            _rowKeys.Add(rowKey);
        }
    }

    public Task<bool> MayHaveAsync(string rowKey) => Task.FromResult(_rowKeys.Contains(rowKey ?? ""));

    public Task AddAsync(IReadOnlyList<string> rowKeys)
    {
        ArgumentNullException.ThrowIfNull(rowKeys);
        _rowKeys.UnionWith(rowKeys);
        return Task.CompletedTask;
    }
}
