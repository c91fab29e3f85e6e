using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Inbox;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Broadcasts;

/// <summary>
/// The members of one broadcast list, one table row each. Reentrant with group commit: joins that arrive together are
/// written together, and each call returns once its row is durable. The citizen grains keep the consent history;
/// this grain only answers who is in the list.
/// </summary>
[Reentrant]
public sealed class BroadcastListGrain(IBroadcastStore store) : Grain, IBroadcastListGrain
{
    private readonly Dictionary<string, ListMember> _members = new(StringComparer.Ordinal);
    private string _tenant = "";
    private string _listId = "";
    private GroupCommit<string, (ListMember Member, bool Remove)>? _writes;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _listId) = ListIds.Parse(this.GetPrimaryKeyString());
        foreach (var member in await store.LoadMembersAsync(_tenant, _listId))
        {
            _members[member.CitizenKey] = member;
        }
        _writes = new GroupCommit<string, (ListMember, bool)>(changes => store.WriteMembersAsync(_tenant, _listId, changes));
    }

    public Task AddAsync(ListMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (_members.TryGetValue(member.CitizenKey, out var known) && known == member)
        {
            return Task.CompletedTask;
        }
        _members[member.CitizenKey] = member;
        return _writes!.WriteAsync(member.CitizenKey, (member, false));
    }

    public async Task<bool> RemoveAsync(string citizenKey)
    {
        ArgumentNullException.ThrowIfNull(citizenKey);
        if (!_members.Remove(citizenKey, out var member))
        {
            return false;
        }
        await _writes!.WriteAsync(citizenKey, (member, true));
        return true;
    }

    public Task<ImmutableArray<ListMember>> GetMembersAsync() =>
        Task.FromResult(_members.Values.OrderBy(m => m.Since).ThenBy(m => m.CitizenKey, StringComparer.Ordinal).ToImmutableArray());

    public Task<ListOverview> GetOverviewAsync() => Task.FromResult(new ListOverview(
        _listId,
        _members.Count,
        _members.Values.GroupBy(m => m.Language).ToImmutableDictionary(g => g.Key, g => g.Count())));
}
