using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.History;

/// <summary>
/// The archived pages of citizens' histories, found by the citizen's key alone (export and erasure read and delete
/// them from the key). Writing a page again replaces it whole, so a repeated write after a crash is harmless.
/// </summary>
public interface IConversationHistoryStore
{
    /// <summary>Writes (or replaces) one page, atomically.</summary>
    Task WritePageAsync(CitizenKey citizen, HistoryPage page, CancellationToken cancellationToken);

    /// <summary>One page, or null when it was never written.</summary>
    Task<HistoryPage?> ReadPageAsync(CitizenKey citizen, int number, CancellationToken cancellationToken);

    /// <summary>Deletes every page of the citizen; deleting nothing is no error.</summary>
    Task DeleteAllAsync(CitizenKey citizen, CancellationToken cancellationToken);
}
