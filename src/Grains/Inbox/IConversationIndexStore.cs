using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// Durable storage of a tenant's inbox index: one row a conversation, found by the citizen's key, so that the
/// index grows without bound while each write stays small.
/// </summary>
public interface IConversationIndexStore
{
    /// <summary>Every summary of the tenant.</summary>
    Task<IReadOnlyList<ConversationSummary>> LoadAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Writes summaries of one tenant (each key at most once) in as few round trips as the store allows.</summary>
    Task UpsertAsync(string tenant, IReadOnlyCollection<ConversationSummary> summaries, CancellationToken cancellationToken);

    /// <summary>Deletes a conversation's entry; deleting one that is not there is no error.</summary>
    Task DeleteAsync(string tenant, string citizenGrainKey, CancellationToken cancellationToken);
}
