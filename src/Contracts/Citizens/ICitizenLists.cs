namespace GoldbachActors.Contracts;

/// <summary>A role of the citizen grain (<see cref="ICitizenGrain"/>): consent and broadcast lists: membership, WhatsApp's marketing preference, a broadcast's part for this citizen.</summary>
[Alias("goldbach.ICitizenLists")]
public interface ICitizenLists : IGrainWithStringKey
{
    /// <summary>
    /// Staff add the citizen (who asked) to a list, recording who, when and how consent was given; the citizen
    /// need not have written before. Idempotent; a new language replaces the old.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown list, a language the tenant does not speak, no note.</exception>
    [Alias("JoinList")]
    Task<ListMembership> JoinListAsync(ListJoin join);

    /// <summary>Staff remove the citizen from a list (recorded); returns false when they were not a member.</summary>
    [Alias("LeaveList")]
    Task<bool> LeaveListAsync(string listId, string staffId);

    /// <summary>The citizen's list memberships and consent history, oldest first.</summary>
    [Alias("GetConsent")]
    Task<CitizenConsent> GetConsentAsync();

    /// <summary>
    /// WhatsApp's <c>user_preferences</c> webhook: the citizen stopped (or resumed) marketing messages. Recorded in
    /// the consent history; marketing templates no longer go to them.
    /// </summary>
    [Alias("SetMarketingPreference")]
    Task<ReceiveOutcome> SetMarketingPreferenceAsync(bool stopped, DateTimeOffset at);

    /// <summary>How a broadcast would reach the citizen now (for the preview); changes nothing.</summary>
    [Alias("GetBroadcastAudience")]
    Task<BroadcastAudience> GetBroadcastAudienceAsync(string listId, bool marketing);

    /// <summary>
    /// Queues the citizen's part of a broadcast, idempotently by broadcast id: free text inside the window; outside
    /// it the list's template (the text held until the citizen answers) — only with <paramref name="templateAllowed"/>
    /// (the messaging limit granted a place), else nothing changes and the answer is <see cref="RecipientState.Pending"/>.
    /// Skipped when the citizen is no longer a member or stopped marketing messages (a marketing template).
    /// </summary>
    [Alias("QueueBroadcast")]
    Task<BroadcastDelivery> QueueBroadcastAsync(BroadcastSend send, bool templateAllowed);

    /// <summary>Where the citizen's part of a broadcast stands (after a broadcast grain lost reports in a crash).</summary>
    [Alias("GetBroadcastDelivery")]
    Task<BroadcastDelivery?> GetBroadcastDeliveryAsync(string broadcastId);
}
