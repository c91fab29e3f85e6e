using System.Collections.Immutable;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Tenants;

/// <summary>
/// The one place every host polls for the tenants' settings versions: a dictionary of a few dozen entries, read from
/// memory, written only when an admin saves. A settings grain re-registers its version on activation, so a write
/// lost between the two grains is made good.
/// </summary>
public sealed class TenantDirectoryGrain(
    [PersistentState("directory", StorageNames.Tenants)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    private IReadOnlyDictionary<string, long>? _snapshot;

    public Task<IReadOnlyDictionary<string, long>> GetVersionsAsync() =>
        Task.FromResult(_snapshot ??= state.State.Versions.ToImmutableDictionary(StringComparer.Ordinal));

    public async Task SetVersionAsync(string tenant, long version)
    {
        if (!TenantId.IsValid(tenant))
        {
            throw new ArgumentException($"'{tenant}' is no phone_number_id.", nameof(tenant));
        }
        if (state.State.Versions.GetValueOrDefault(tenant, -1) >= version)
        {
            return;
        }
        state.State.Versions[tenant] = version;
        _snapshot = null;
        await state.WriteStateAsync();
    }
}
