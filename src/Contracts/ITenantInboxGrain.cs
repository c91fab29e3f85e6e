namespace GoldbachActors.Contracts;

/// <summary>
/// The index of one tenant's conversations that staff list: one entry a citizen, kept up to date by the citizen
/// grains. Keyed by the tenant's <c>phone_number_id</c>.
/// </summary>
[Alias("goldbach.ITenantInboxGrain")]
public interface ITenantInboxGrain : IGrainWithStringKey
{
    /// <summary>Records the newest summary of a conversation durably; an older revision is ignored.</summary>
    [Alias("Upsert")]
    Task UpsertAsync(ConversationSummary summary);

    /// <summary>Removes a conversation from the index (its citizen now lives under another key, or was erased).</summary>
    [Alias("Remove")]
    Task RemoveAsync(string citizenGrainKey);

    /// <summary>Lists conversations (of one section, or all), urgent first, then the most recently active.</summary>
    /// <exception cref="ArgumentException">The page token is not one this inbox issued.</exception>
    [Alias("List")]
    Task<InboxPage> ListAsync(int pageSize, string? pageToken, InboxSection? section = null, InboxFilter? filter = null);

    /// <summary>
    /// The inbox's events after <paramref name="position"/> (null: from now), waiting up to <paramref name="wait"/>
    /// for the first one. Each watcher pulls at its own pace, so a slow one slows nobody else.
    /// </summary>
    [Alias("Watch")]
    Task<InboxEventBatch> WatchAsync(string? position, TimeSpan wait);

    /// <summary>The conversation of the citizen with this number (E.164 with "+"), if they ever wrote.</summary>
    [Alias("FindByPhone")]
    Task<string?> FindByPhoneAsync(string phoneNumber);
}
