namespace GoldbachActors.Contracts;

/// <summary>
/// One citizen of one tenant: their conversation with the town, their acknowledgement state and the outbox of
/// messages the town sends them. Keyed by <see cref="CitizenKey.GrainKey"/>. Every staff change names its
/// <see cref="StaffActor"/>, and the grain applies the section rule to it (an agent's change to the staff coordination
/// section throws <see cref="UnauthorizedAccessException"/>).
/// </summary>
[Alias("goldbach.ICitizenGrain")]
public interface ICitizenGrain : IGrainWithStringKey
{
    /// <summary>
    /// Woken by its outbox registry shard (after a crash or a restart): sends what waits. Returns whether the outbox
    /// still has work; when it has none, the registry forgets the citizen.
    /// </summary>
    [Alias("WakeOutbox")]
    Task<bool> WakeOutboxAsync();

    /// <summary>
    /// Records a message from the citizen, idempotently by its WhatsApp message id, and queues the automatic
    /// acknowledgement when the message opens a conversation. Returns once everything is durably stored.
    /// </summary>
    [Alias("Receive")]
    Task<ReceiveOutcome> ReceiveAsync(InboundMessage message);

    /// <summary>
    /// Records what staff sent from the WhatsApp Business app on the same number (Coexistence, Meta's
    /// <c>smb_message_echoes</c>), idempotently by wamid: shown as the administration's ("Verwaltung (App)"), never sent
    /// again. A staff edit or deletion in the app changes the echo it refers to.
    /// </summary>
    [Alias("RecordAppEcho")]
    Task<ReceiveOutcome> RecordAppEchoAsync(InboundMessage echo);

    /// <summary>Queues a staff reply, idempotently by <see cref="StaffReply.RequestId"/>, once durably stored.</summary>
    /// <exception cref="ArgumentException">The text is empty or longer than WhatsApp allows.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("Reply")]
    Task<OutboundMessage> ReplyAsync(StaffReply reply);

    /// <summary>
    /// Queues the town's reaction to one of the citizen's messages (inside the 24-hour window), idempotently by
    /// <see cref="StaffReaction.RequestId"/>; an empty emoji removes the town's reaction.
    /// </summary>
    /// <exception cref="ArgumentException">Not one emoji, no such message of the citizen, or the window is closed.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("React")]
    Task<OutboundMessage> ReactAsync(StaffReaction reaction);

    /// <summary>
    /// Queues Meta's location request message ("Bitte teilen Sie den Ort"), inside the 24-hour window, idempotently by
    /// <see cref="StaffLocationRequest.RequestId"/>. The citizen's answer arrives as a location message.
    /// </summary>
    /// <exception cref="ArgumentException">An empty or too long text, or the window is closed.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("RequestLocation")]
    Task<OutboundMessage> RequestLocationAsync(StaffLocationRequest request);

    /// <summary>
    /// A staff member is typing a reply: shows WhatsApp's typing indicator on the citizen's newest message (which
    /// marks it read), at most once per 20 seconds and only inside the window. Returns whether it was sent now.
    /// </summary>
    [Alias("SignalTyping")]
    Task<bool> SignalTypingAsync(StaffActor by);

    /// <summary>
    /// Blocks (or unblocks) the citizen at WhatsApp through Meta's Block Users API, on a supervisor's behalf, within
    /// Meta's rules (blocking only someone who wrote in the last 24 hours). A blocked citizen's messages are recorded but
    /// not acknowledged. Meta's refusal comes back with its code; nothing changes then.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not a supervisor or admin.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("ChangeBlock")]
    Task<BlockChange> ChangeBlockAsync(bool block, StaffActor by);

    /// <summary>The conversation as staff see it, or null when the citizen has never written.</summary>
    [Alias("GetConversation")]
    Task<ConversationSnapshot?> GetConversationAsync();

    /// <summary>An archived page of the history (1 = oldest), or null when there is no such page.</summary>
    [Alias("GetHistoryPage")]
    Task<HistoryPage?> GetHistoryPageAsync(int number);

    /// <summary>
    /// Changes the conversation's status on a staff member's behalf, attributed and timestamped. Snoozing without a
    /// time snoozes until the next working day starts. Setting the status it already has changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A status staff cannot set (New), or a snooze time in the past.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("ChangeStatus")]
    Task<ConversationSummary> ChangeStatusAsync(StatusChange change);

    /// <summary>
    /// Records an internal note (never sent to the citizen), attributed and timestamped, idempotently by
    /// <see cref="StaffNote.RequestId"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty or longer than 4,096 characters.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("AddNote")]
    Task<ConversationEvent> AddNoteAsync(StaffNote note);

    /// <summary>
    /// Assigns the conversation to <paramref name="assignee"/> (null: nobody), attributed to <paramref name="by"/>.
    /// Agents take what nobody has for themselves and give back their own; reassigning is a supervisor's.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    /// <exception cref="UnauthorizedAccessException">An agent reassigns, or works the staff section.</exception>
    [Alias("Assign")]
    Task<ConversationSummary> AssignAsync(string? assignee, StaffActor by);

    /// <summary>Sets the priority, attributed to <paramref name="by"/>.</summary>
    [Alias("SetPriority")]
    Task<ConversationSummary> SetPriorityAsync(ConversationPriority priority, StaffActor by);

    /// <summary>
    /// Staff opened the conversation: it is no longer unread, a new one is open from now on, and the citizen's newest
    /// message is marked read at WhatsApp (blue ticks; that covers the earlier ones). Only for a staff member who
    /// opened it, never from a background poll.
    /// </summary>
    [Alias("MarkRead")]
    Task<ConversationSummary> MarkReadAsync(StaffActor by);

    /// <summary>Sets the conversation's category on a staff member's behalf, overriding triage's suggestion.</summary>
    /// <exception cref="ArgumentException">Not one of the tenant's categories.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("SetCategory")]
    Task<ConversationSummary> SetCategoryAsync(string category, StaffActor by);

    /// <summary>
    /// Applies WhatsApp's status report (sent, delivered, read, failed) to the message it names, monotonically:
    /// a late or repeated report changes nothing. A report for a message this citizen was never sent is unmatched.
    /// </summary>
    [Alias("ReportDelivery")]
    Task<ReceiveOutcome> ReportDeliveryAsync(DeliveryReport report);

    /// <summary>
    /// Called on a citizen's new identity (a changed number or user id) by the grain that keeps the citizen
    /// (<paramref name="canonicalGrainKey"/>): from now on this grain passes every call on, and it returns what it
    /// collected meanwhile. Idempotent.
    /// </summary>
    [Alias("HandOverTo")]
    Task<CitizenHandover> HandOverToAsync(string canonicalGrainKey);

    /// <summary>Forgets the conversation handed over by <see cref="HandOverToAsync"/> once the keeper stored it.</summary>
    [Alias("CompleteHandOver")]
    Task CompleteHandOverAsync();

    /// <summary>
    /// Staff add the citizen (who asked) to a list, recording who, when and how consent was given; the citizen
    /// need not have written before. Idempotent; a new language replaces the old.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown list, a language the tenant does not speak, no note.</exception>
    [Alias("JoinList")]
    Task<ListMembership> JoinListAsync(ListJoin join);

    /// <summary>Staff remove the citizen from a list (recorded); returns false when they were not a member.</summary>
    [Alias("LeaveList")]
    Task<bool> LeaveListAsync(string listId, StaffActor by);

    /// <summary>The citizen's list memberships and consent history, oldest first, as <paramref name="by"/> may read them.</summary>
    /// <exception cref="UnauthorizedAccessException">An agent reads a staff number's consent.</exception>
    [Alias("GetConsent")]
    Task<CitizenConsent> GetConsentAsync(StaffActor by);

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
    /// <summary>
    /// Everything stored about the citizen (GDPR Art. 15): the whole history with archived pages, notes, changes, the
    /// town's messages with delivery states, memberships and consent. Null when nothing is stored.
    /// </summary>
    /// <summary>
    /// Tells the citizen a request's outcome (done or rejected): as text inside the 24-hour window, else as the
    /// tenant's template for it (held for the window when it has none). Once per request and status: false when it
    /// was told before (or the status is no outcome, or the citizen is gone).
    /// </summary>
    [Alias("NotifyRequestStatus")]
    Task<bool> NotifyRequestStatusAsync(RequestStatusNotice notice);

    [Alias("Export")]
    Task<CitizenExport?> ExportAsync();

    /// <summary>
    /// Erases the citizen (GDPR Art. 17) from every store: grain state, history pages, media files, the inbox entry,
    /// list memberships and consent, broadcast recipient rows, the messaging-limit record, reminders, other identities
    /// of the same citizen, and their name in the audit log (replaced by <see cref="CitizenErasure.AuditReference"/>).
    /// Durable from the first step: after a crash a reminder finishes it; repeating the call finishes it too, and an
    /// erasure of nothing succeeds. When storage refuses a step the report says it is not <see cref="ErasureReport.Finished"/>.
    /// </summary>
    [Alias("Erase")]
    Task<ErasureReport> EraseAsync(CitizenErasure erasure);

    /// <summary>
    /// Applies the tenant's retention rules: a conversation resolved longer ago than its category's period is erased
    /// (list members keep their membership and consent). Returns null when nothing is due (a new message since).
    /// </summary>
    [Alias("Expire")]
    Task<ErasureReport?> ExpireAsync(string erasureId);

    /// <summary>
    /// Called by the citizen's keeper (<paramref name="keeperGrainKey"/>) while it is erased: this former identity
    /// forgets that it pointed there (its stored state is deleted). Does nothing for any other caller's key. Interleaves:
    /// the erasure may have come through this very identity, which then waits for the keeper.
    /// </summary>
    [Alias("ForgetAlias"), Orleans.Concurrency.AlwaysInterleave]
    Task ForgetAliasAsync(string keeperGrainKey);
}
