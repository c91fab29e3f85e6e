using System.Collections.Immutable;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>Where a conversation stands from the staff's point of view.</summary>
public enum ConversationStatus
{
    /// <summary>A citizen wrote and no staff member has answered yet.</summary>
    Open = 0,

    /// <summary>Staff answered; the next move is the citizen's.</summary>
    WaitingForCitizen = 1,

    /// <summary>A new conversation no staff member has worked on yet.</summary>
    New = 2,

    /// <summary>Put aside until a time (by default the next working day); then open again.</summary>
    Snoozed = 3,

    /// <summary>Done. The citizen's next message starts a new conversation.</summary>
    Resolved = 4,
}

/// <summary>A message the citizen sent, as recorded from WhatsApp's webhook.</summary>
/// <param name="WhatsAppMessageId">WhatsApp's message id (<c>wamid.…</c>), the deduplication key.</param>
/// <param name="SentAt">WhatsApp's timestamp of the message (second resolution).</param>
/// <param name="Type">WhatsApp's message type (<c>text</c>, <c>image</c>, …).</param>
/// <param name="Text">The text of a text message.</param>
/// <param name="PhoneNumber">The citizen's number in E.164 with <c>+</c>, when WhatsApp sent one.</param>
/// <param name="ProfileName">The citizen's WhatsApp profile name, when WhatsApp sent one.</param>
/// <remarks>
/// Besides text, a message carries at most one kind of structured content, as WhatsApp sent it: media, a location,
/// shared contacts, a button or list reply, a reaction, a system notice or the errors of an unsupported message.
/// </remarks>
[GenerateSerializer, Immutable, Alias("goldbach.InboundMessage")]
public sealed record InboundMessage(
    [property: Id(0)] string WhatsAppMessageId,
    [property: Id(1)] DateTimeOffset SentAt,
    [property: Id(2)] string Type,
    [property: Id(3), MessageContent] string? Text,
    [property: Id(4), PersonalIdentifier] string? PhoneNumber,
    [property: Id(5), PersonalIdentifier] string? ProfileName)
{
    /// <summary>The message this one answers or forwards, and how often it was forwarded.</summary>
    [Id(6)] public MessageContext? Context { get; init; }

    /// <summary>An image, audio (voice note), video, document or sticker.</summary>
    [Id(7)] public MediaAttachment? Media { get; init; }

    [Id(8)] public SharedLocation? Location { get; init; }

    [Id(9)] public ImmutableArray<SharedContact> Contacts { get; init; } = [];

    /// <summary>A tap on a reply button, a list row or a template's quick-reply button.</summary>
    [Id(10)] public ButtonReply? Button { get; init; }

    [Id(11)] public Reaction? Reaction { get; init; }

    /// <summary>WhatsApp's notice that the citizen changed their number or user id.</summary>
    [Id(12)] public SystemNotice? System { get; init; }

    /// <summary>Why WhatsApp could not pass the message on (unsupported types), as Meta's codes and details.</summary>
    [Id(13)] public ImmutableArray<WhatsAppError> Errors { get; init; } = [];

    /// <summary>For an unsupported message, what it was (<c>edit</c>, <c>poll_update</c>, …), if WhatsApp said.</summary>
    [Id(14)] public string? UnsupportedType { get; init; }

    /// <summary>The WhatsApp group the message was sent in, if any.</summary>
    [Id(15)] public string? GroupId { get; init; }

    /// <summary>The ad or post the citizen came from (Click-to-WhatsApp), if any.</summary>
    [Id(16)] public Referral? Referral { get; init; }

    /// <summary>The broadcast this message answers (set by the citizen grain when it records the message).</summary>
    [Id(17)] public string? ReplyToBroadcast { get; init; }

    /// <summary>
    /// What makes this message a duplicate of another: the wamid, and for a reaction also its emoji (a removal
    /// reuses the wamid of the reaction it removes).
    /// </summary>
    public string DeduplicationKey => Type == "reaction" ? $"{WhatsAppMessageId}#{Reaction?.Emoji ?? "-"}" : WhatsAppMessageId;

    /// <summary>The citizen's conversation (1, 2, …) the message belongs to; 0 for messages stored before it was kept.</summary>
    [Id(18)] public int ConversationNumber { get; init; }

    /// <summary>For an <c>edit</c>: the message edited and its new text.</summary>
    [Id(19)] public MessageEdit? Edit { get; init; }

    /// <summary>For a <c>revoke</c>: the wamid of the message the citizen deleted.</summary>
    [Id(20)] public string? RevokedMessageId { get; init; }

    /// <summary>When the citizen last edited this message (it shows "bearbeitet").</summary>
    [Id(21)] public DateTimeOffset? EditedAt { get; init; }

    /// <summary>
    /// The texts before the citizen's edits, oldest first (for staff only); null when never edited (and in state
    /// written before edits were kept, which is why this is no ImmutableArray: old bytes would read as a default one).
    /// </summary>
    [Id(22), MessageContent] public ImmutableList<string>? PreviousTexts { get; init; }

    /// <summary>When the citizen deleted this message: its text and media are gone from storage.</summary>
    [Id(23)] public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The citizen's current reaction (an emoji) to this message, if any.</summary>
    [Id(24)] public string? CitizenReaction { get; init; }

    /// <summary>What a reply quotes, or what a reaction, edit or deletion refers to.</summary>
    [Id(25)] public QuotedMessage? Quoted { get; init; }

    /// <summary>
    /// A reaction, edit or deletion whose effect shows on its target in the hot state: front ends show it there,
    /// not as an entry of its own.
    /// </summary>
    [Id(26)] public bool AppliedToTarget { get; init; }

    /// <summary>The citizen's WhatsApp username (2026), when Meta sent one.</summary>
    [Id(27), PersonalIdentifier] public string? Username { get; init; }

    /// <summary>The town's current reaction (an emoji) to this message, if any.</summary>
    [Id(28)] public string? TownReaction { get; init; }

    /// <summary>The wamid this message refers to: the quoted, reacted-to, edited or deleted one.</summary>
    public string? TargetMessageId => Reaction?.MessageId ?? Edit?.OriginalMessageId ?? RevokedMessageId ?? Context?.RepliedToMessageId;
}

/// <summary>What recording an inbound message did.</summary>
public enum ReceiveOutcome
{
    /// <summary>The message was new and is now durably stored.</summary>
    Recorded = 0,

    /// <summary>The message had been stored before (WhatsApp delivers at least once); nothing changed.</summary>
    Duplicate = 1,

    /// <summary>A status for a message this citizen was never sent; noted, nothing changed.</summary>
    Unmatched = 2,
}

/// <summary>Who sends an outbound message.</summary>
public enum OutboundKind
{
    /// <summary>The automatic acknowledgement of a new conversation.</summary>
    Acknowledgement = 0,

    /// <summary>A staff member's reply, sent in the administration's name.</summary>
    StaffReply = 1,

    /// <summary>
    /// The approved template that asks the citizen to write back when the 24-hour window has closed; the held staff
    /// replies follow once the citizen answers.
    /// </summary>
    WindowTemplate = 2,

    /// <summary>A broadcast's free text to a list member (inside their window, or held until they answer).</summary>
    Broadcast = 3,

    /// <summary>A broadcast's template: the template broadcast itself, or the list's template outside the window.</summary>
    BroadcastTemplate = 4,

    /// <summary>The confirmation of joining or leaving a broadcast list.</summary>
    ListConfirmation = 5,

    /// <summary>
    /// Sent by staff from the WhatsApp Business app on the same number (Coexistence), recorded from Meta's echo; never
    /// sent by this service. Shown as "Verwaltung (App)".
    /// </summary>
    AppEcho = 6,

    /// <summary>
    /// The town's reaction (<see cref="OutboundMessage.Text"/>, an emoji; empty removes it) to the citizen's message
    /// <see cref="OutboundMessage.ReactionTo"/>, e.g. ✅ for "erledigt".
    /// </summary>
    Reaction = 7,

    /// <summary>A request's outcome (done or rejected) told to the citizen: text in the window, the tenant's template outside.</summary>
    RequestStatus = 8,

    /// <summary>
    /// Meta's location request message (interactive <c>location_request_message</c>): the text with WhatsApp's fixed
    /// "Standort senden" button; the citizen's answer is an ordinary location message. Inside the window only.
    /// </summary>
    LocationRequest = 9,
}

/// <summary>How far an outbound message got.</summary>
public enum DeliveryState
{
    /// <summary>Durably recorded, not yet accepted by WhatsApp.</summary>
    Queued = 0,

    /// <summary>Accepted by the Graph API (it returned a <c>wamid</c>), or WhatsApp reported it sent.</summary>
    Sent = 1,

    /// <summary>Refused or undeliverable; see the failure reason.</summary>
    Failed = 2,

    /// <summary>On the citizen's phone.</summary>
    Delivered = 3,

    /// <summary>Read by the citizen (or, for a voice message, played).</summary>
    Read = 4,

    /// <summary>
    /// Handed to the Graph API, outcome not yet known. After a timeout or a crash the message waits for a status
    /// webhook naming it; without one within the grace period it is sent again.
    /// </summary>
    Sending = 5,

    /// <summary>
    /// A free-text reply held because the 24-hour window is closed: it goes out when the citizen writes again (the
    /// window template asks them to).
    /// </summary>
    WaitingForWindow = 6,
}

/// <summary>A message the administration sends to a citizen.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.OutboundMessage")]
public sealed record OutboundMessage
{
    /// <summary>Our own id, assigned when the message is recorded.</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required OutboundKind Kind { get; init; }

    [Id(2), MessageContent] public required string Text { get; init; }

    [Id(3)] public DeliveryState State { get; init; }

    /// <summary>WhatsApp's id, once the Graph API accepted the message.</summary>
    [Id(4)] public string? WhatsAppMessageId { get; init; }

    [Id(5)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The staff member who sent a reply: kept for staff and audit only, never sent to the citizen.</summary>
    [Id(6)] public string? SentBy { get; init; }

    /// <summary>The client's request id of a staff reply, which makes retried replies harmless.</summary>
    [Id(7)] public string? RequestId { get; init; }

    /// <summary>How many send attempts have failed so far.</summary>
    [Id(8)] public int FailedAttempts { get; init; }

    /// <summary>Why the last attempt failed, or why WhatsApp could not deliver it, in words staff understand.</summary>
    [Id(9)] public string? FailureReason { get; init; }

    /// <summary>When WhatsApp last reported progress (sent, delivered, read, failed).</summary>
    [Id(10)] public DateTimeOffset? StateChangedAt { get; init; }

    /// <summary>Meta's error code of a failure, when Meta gave one.</summary>
    [Id(11)] public int? FailureCode { get; init; }

    /// <summary>Not before this time (a backoff after a transient failure).</summary>
    [Id(12)] public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>For a template: its name.</summary>
    [Id(13)] public string? TemplateName { get; init; }

    /// <summary>When the current attempt was handed to the Graph API (state <see cref="DeliveryState.Sending"/>).</summary>
    [Id(14)] public DateTimeOffset? SendingSince { get; init; }

    /// <summary>For a template: its language code.</summary>
    [Id(15)] public string? TemplateLanguage { get; init; }

    /// <summary>For a template: its body parameters in order.</summary>
    [Id(16), MessageContent] public ImmutableArray<string> TemplateParameters { get; init; } = [];

    /// <summary>The citizen's conversation (1, 2, …) the message belongs to; 0 for messages stored before it was kept.</summary>
    [Id(18)] public int ConversationNumber { get; init; }

    /// <summary>The broadcast this message belongs to, if any.</summary>
    [Id(17)] public string? BroadcastId { get; init; }

    /// <summary>The citizen's current reaction (an emoji) to this message, if any.</summary>
    [Id(19)] public string? CitizenReaction { get; init; }

    /// <summary>For an app echo: when staff edited it in the Business app.</summary>
    [Id(20)] public DateTimeOffset? EditedAt { get; init; }

    /// <summary>For an app echo: when staff deleted it in the Business app (its text is gone).</summary>
    [Id(21)] public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>For a reply that quotes a message: what it quotes (sent as <c>context.message_id</c>).</summary>
    [Id(22)] public QuotedMessage? Quoted { get; init; }

    /// <summary>For a <see cref="OutboundKind.Reaction"/>: the wamid of the citizen's message it reacts to.</summary>
    [Id(23)] public string? ReactionTo { get; init; }

    /// <summary>Whether a template or a free text goes out.</summary>
    public bool IsTemplate => Kind is OutboundKind.WindowTemplate or OutboundKind.BroadcastTemplate
        || (Kind is OutboundKind.RequestStatus && TemplateName is not null);
}

/// <summary>What the inbox list shows of one conversation.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ConversationSummary")]
public sealed record ConversationSummary
{
    /// <summary>The citizen's grain key (see <see cref="CitizenKey"/>).</summary>
    [Id(0)] public required string CitizenKey { get; init; }

    [Id(1), PersonalIdentifier] public string? DisplayName { get; init; }

    [Id(2), PersonalIdentifier] public string? PhoneNumber { get; init; }

    [Id(3)] public ConversationStatus Status { get; init; }

    [Id(4)] public DateTimeOffset LastMessageAt { get; init; }

    [Id(5), MessageContent] public string? LastMessagePreview { get; init; }

    /// <summary>Grows with every change of the conversation; the inbox keeps only the newest revision.</summary>
    [Id(6)] public long Revision { get; init; }

    /// <summary>The category triage suggested (or staff chose), e.g. "Spielplatz".</summary>
    [Id(7)] public string? Category { get; init; }

    /// <summary>Danger ("Gefahr in Verzug"): due at once, listed first.</summary>
    [Id(8)] public bool Urgent { get; init; }

    /// <summary>When the town should have answered: at once if urgent, else the start of the next working day.</summary>
    [Id(9)] public DateTimeOffset? DueAt { get; init; }

    /// <summary>For a snoozed conversation: until when.</summary>
    [Id(10)] public DateTimeOffset? SnoozedUntil { get; init; }

    /// <summary>The citizens' queue, or the staff coordination queue.</summary>
    [Id(11)] public InboxSection Section { get; init; }

    /// <summary>The citizen writes faster than the flood limit allows (stored, but no further acknowledgements).</summary>
    [Id(12)] public bool Flooding { get; init; }

    /// <summary>The language the citizen writes in ("de", "en", "uk", …), when that was clear.</summary>
    [Id(13)] public string? Language { get; init; }

    /// <summary>
    /// When the 24-hour customer-service window closes (24 hours after the citizen's last message): until then free
    /// text may go out, afterwards only a template.
    /// </summary>
    [Id(14)] public DateTimeOffset? WindowClosesAt { get; init; }

    /// <summary>The staff member the conversation is assigned to, if any (internal).</summary>
    [Id(15)] public string? Assignee { get; init; }

    [Id(16)] public ConversationPriority Priority { get; init; }

    /// <summary>The citizen wrote since staff last read the conversation.</summary>
    [Id(17)] public bool Unread { get; init; }

    /// <summary>How many of the town's recent messages in this conversation failed (shown to staff, never swallowed).</summary>
    [Id(18)] public int FailedMessages { get; init; }

    /// <summary>When a resolved conversation was resolved (its retention period counts from here).</summary>
    [Id(19)] public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>
    /// Every conversation of this citizen that ended and is still kept (the current one too, once resolved), each
    /// with its own category and end: retention deletes each by its own period.
    /// </summary>
    [Id(20)] public ImmutableArray<EndedConversation> Ended { get; init; } = [];

    /// <summary>The citizen's WhatsApp username (2026), when Meta sent one.</summary>
    [Id(21), PersonalIdentifier] public string? Username { get; init; }

    /// <summary>Blocked at WhatsApp by a supervisor (abuse): no acknowledgements, no messages either way.</summary>
    [Id(22)] public bool Blocked { get; init; }
}

/// <summary>What a block or unblock did: done, or Meta's refusal with its code (shown to staff as it is).</summary>
/// <param name="Done">Blocked (or unblocked) at WhatsApp.</param>
/// <param name="MetaCode">Meta's code of a refusal (131047: no message in the last 24 hours; 139101: list full; …).</param>
/// <param name="Reason">Why it was refused, in German.</param>
/// <param name="Summary">The conversation afterwards.</param>
[GenerateSerializer, Immutable, Alias("goldbach.BlockChange")]
public sealed record BlockChange(
    [property: Id(0)] bool Done,
    [property: Id(1)] int? MetaCode,
    [property: Id(2)] string? Reason,
    [property: Id(3)] ConversationSummary Summary);

/// <summary>
/// A conversation that ended (resolved, or followed by a new one after a silence): its number, when it began and
/// ended, and its category, which is what its retention period depends on.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.EndedConversation")]
public sealed record EndedConversation(
    [property: Id(0)] int Number,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset EndedAt,
    [property: Id(3)] string? Category);

/// <summary>How pressing staff judge a conversation (urgency from danger is separate and set by triage).</summary>
public enum ConversationPriority
{
    Normal = 0,
    High = 1,
}

/// <summary>What an inbox listing is narrowed to; null fields do not narrow.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.InboxFilter")]
public sealed record InboxFilter
{
    [Id(0)] public ConversationStatus? Status { get; init; }

    [Id(1)] public string? Category { get; init; }

    [Id(2)] public ConversationPriority? Priority { get; init; }

    /// <summary>A staff id, or <see cref="Unassigned"/>.</summary>
    [Id(3)] public string? Assignee { get; init; }

    /// <summary>Only conversations due before this time.</summary>
    [Id(4)] public DateTimeOffset? DueBefore { get; init; }

    /// <summary>Words that must appear in the name, number, category or last message (case-insensitive).</summary>
    [Id(5), MessageContent] public string? Text { get; init; }

    /// <summary>The <see cref="Assignee"/> value that asks for conversations nobody is assigned to.</summary>
    public const string Unassigned = "-";

    public bool Matches(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return (Status is not { } status || summary.Status == status)
            && (Category is null || string.Equals(summary.Category, Category, StringComparison.OrdinalIgnoreCase))
            && (Priority is not { } priority || summary.Priority == priority)
            && (Assignee is null || (Assignee == Unassigned ? summary.Assignee is null : summary.Assignee == Assignee))
            && (DueBefore is not { } due || (summary.DueAt is { } at && at < due))
            && (string.IsNullOrWhiteSpace(Text) || Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(word =>
                (summary.DisplayName?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false)
                || (summary.PhoneNumber?.Contains(word, StringComparison.Ordinal) ?? false)
                || (summary.Username?.Contains(word.TrimStart('@'), StringComparison.OrdinalIgnoreCase) ?? false)
                || summary.CitizenKey.EndsWith("/" + word, StringComparison.Ordinal)
                || (summary.Category?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false)
                || (summary.LastMessagePreview?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false)));
    }
}

/// <summary>
/// One conversation as staff see it: the summary and the recent history the grain keeps at hand. Older history is in
/// <see cref="ArchivedPages"/> pages, read newest first with <see cref="ICitizenGrain.GetHistoryPageAsync"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.ConversationSnapshot")]
public sealed record ConversationSnapshot(
    [property: Id(0)] ConversationSummary Summary,
    [property: Id(1)] ImmutableArray<InboundMessage> Inbound,
    [property: Id(2)] ImmutableArray<OutboundMessage> Outbound)
{
    /// <summary>Recent status, category and flood changes, oldest first.</summary>
    [Id(3)] public ImmutableArray<ConversationEvent> Events { get; init; } = [];

    /// <summary>How many archived pages precede the recent history (numbered 1 = oldest … this = newest).</summary>
    [Id(4)] public int ArchivedPages { get; init; }
}

/// <summary>A staff member's reply to a citizen.</summary>
/// <param name="RequestId">The client's id of this request; the same id sends once.</param>
/// <param name="Text">The text, 1 to 4,096 characters.</param>
/// <param name="By">Who answered, for staff and audit only.</param>
[GenerateSerializer, Immutable, Alias("goldbach.StaffReply")]
public sealed record StaffReply(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Text,
    [property: Id(2)] StaffActor By)
{
    public string StaffId => By.StaffId;

    /// <summary>The wamid of a message in this conversation the reply quotes, if any.</summary>
    [Id(3)] public string? QuotedMessageId { get; init; }
}

/// <summary>A staff member's reaction to a citizen's message, sent in the administration's name.</summary>
/// <param name="RequestId">The client's id of this request; the same id sends once.</param>
/// <param name="MessageId">The wamid of the citizen's message.</param>
/// <param name="Emoji">One emoji, or empty to remove the town's reaction.</param>
/// <param name="By">Who reacted, for staff and audit only.</param>
[GenerateSerializer, Immutable, Alias("goldbach.StaffReaction")]
public sealed record StaffReaction(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string MessageId,
    [property: Id(2)] string Emoji,
    [property: Id(3)] StaffActor By);

/// <summary>Staff ask the citizen for the place with Meta's location request message (idempotent by request id).</summary>
/// <param name="RequestId">A client-chosen id that makes retries safe.</param>
/// <param name="Text">What the citizen reads above the "Standort senden" button (at most 1,024 characters).</param>
/// <param name="By">Who asked, for staff and audit only.</param>
[GenerateSerializer, Immutable, Alias("goldbach.StaffLocationRequest")]
public sealed record StaffLocationRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Text,
    [property: Id(2)] StaffActor By);

/// <summary>One page of a tenant's inbox.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.InboxPage")]
public sealed record InboxPage(
    [property: Id(0)] ImmutableArray<ConversationSummary> Conversations,
    [property: Id(1)] string? NextPageToken);
