using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Broadcasts;

/// <summary>
/// Where lists, broadcasts, their recipients and the messaging limit's records are kept (<see cref="AzureTableBroadcastStore"/>):
/// what the broadcast grains load and write, and what a citizen's export reads and their erasure finds.
/// </summary>
public interface IBroadcastStore
{
    Task<List<ListMember>> LoadMembersAsync(string tenant, string listId);

    Task WriteMembersAsync(string tenant, string listId, IReadOnlyCollection<(ListMember Member, bool Remove)> changes);

    Task<BroadcastProgress?> LoadBroadcastAsync(string tenant, string broadcastId);

    Task SaveBroadcastAsync(string tenant, BroadcastProgress progress);

    Task<List<BroadcastProgress>> ListBroadcastsAsync(string tenant);

    Task<List<BroadcastRecipient>> LoadRecipientsAsync(string tenant, string broadcastId);

    Task WriteRecipientsAsync(string tenant, string broadcastId, IReadOnlyCollection<BroadcastRecipient> recipients);

    /// <summary>Deletes one recipient's row (an erased citizen); a missing row is no error.</summary>
    Task DeleteRecipientAsync(string tenant, string broadcastId, string citizenKey);

    /// <summary>The citizen's row in the broadcast, if any.</summary>
    Task<BroadcastRecipient?> LoadRecipientAsync(string tenant, string broadcastId, string citizenKey);

    /// <summary>When the citizen was reached outside their window, if that is still on record.</summary>
    Task<DateTimeOffset?> LoadReachedAsync(string tenant, string citizenKey);

    /// <summary>The tenant's broadcasts that have a recipient row for the citizen.</summary>
    Task<List<string>> FindRecipientBroadcastsAsync(string tenant, string citizenKey);

    Task<List<(string CitizenKey, DateTimeOffset At)>> LoadReachedAsync(string tenant);

    Task WriteReachedAsync(string tenant, IReadOnlyCollection<(string CitizenKey, DateTimeOffset At)> reached, IReadOnlyCollection<string> expired);
}
