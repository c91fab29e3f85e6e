using System.Collections.Immutable;

namespace GoldbachActors.Contracts;

/// <summary>
/// One broadcast list of a tenant: its members and their languages. The citizen grain keeps each member's consent
/// history and tells the list; the list answers who is in it. Keyed <c>{tenant}/{listId}</c>.
/// </summary>
[Alias("goldbach.IBroadcastListGrain")]
public interface IBroadcastListGrain : IGrainWithStringKey
{
    /// <summary>Records a member (or their new language), durably; idempotent.</summary>
    [Alias("Add")]
    Task AddAsync(ListMember member);

    /// <summary>Removes a member, durably; idempotent. Returns whether they were a member.</summary>
    [Alias("Remove")]
    Task<bool> RemoveAsync(string citizenKey);

    [Alias("GetMembers")]
    Task<ImmutableArray<ListMember>> GetMembersAsync();

    [Alias("GetOverview")]
    Task<ListOverview> GetOverviewAsync();
}
