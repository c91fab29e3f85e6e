namespace GoldbachActors.Contracts;

/// <summary>A role of the citizen grain (<see cref="ICitizenGrain"/>): receive, reply and staff changes: the conversation as citizen and staff see it.</summary>
[Alias("goldbach.ICitizenConversation")]
public interface ICitizenConversation : IGrainWithStringKey
{
    /// <summary>
    /// Records a message from the citizen, idempotently by its WhatsApp message id, and queues the automatic
    /// acknowledgement when the message opens a conversation. Returns once everything is durably stored.
    /// </summary>
    [Alias("Receive")]
    Task<ReceiveOutcome> ReceiveAsync(InboundMessage message);

    /// <summary>Queues a staff reply, idempotently by <see cref="StaffReply.RequestId"/>, once durably stored.</summary>
    /// <exception cref="ArgumentException">The text is empty or longer than WhatsApp allows.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("Reply")]
    Task<OutboundMessage> ReplyAsync(StaffReply reply);

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

    /// <summary>Assigns the conversation to <paramref name="assignee"/> (null: nobody), attributed to <paramref name="staffId"/>.</summary>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("Assign")]
    Task<ConversationSummary> AssignAsync(string? assignee, string staffId);

    /// <summary>Sets the priority, attributed to <paramref name="staffId"/>.</summary>
    [Alias("SetPriority")]
    Task<ConversationSummary> SetPriorityAsync(ConversationPriority priority, string staffId);

    /// <summary>Staff read the conversation: it is no longer unread, and a new one is open from now on.</summary>
    [Alias("MarkRead")]
    Task<ConversationSummary> MarkReadAsync(string staffId);

    /// <summary>Sets the conversation's category on a staff member's behalf, overriding triage's suggestion.</summary>
    /// <exception cref="ArgumentException">Not one of the tenant's categories.</exception>
    /// <exception cref="KeyNotFoundException">The citizen has never written.</exception>
    [Alias("SetCategory")]
    Task<ConversationSummary> SetCategoryAsync(string category, string staffId);
}
