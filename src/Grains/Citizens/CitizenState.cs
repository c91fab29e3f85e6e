using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// Everything the town keeps about one citizen, persisted as one record by the citizen grain. The methods are the
/// conversation's rules; they change only this object, so tests exercise them without a cluster.
/// </summary>
[GenerateSerializer, Alias("goldbach.CitizenState")]
public sealed partial class CitizenState
{
    /// <summary>How long a processed WhatsApp message id is remembered: Meta retries a webhook for up to 7 days.</summary>
    public static readonly TimeSpan DeduplicationWindow = TimeSpan.FromDays(8);

    /// <summary>Meta's customer-service window: free text only within 24 hours of the citizen's last message.</summary>
    public static readonly TimeSpan CustomerServiceWindow = TimeSpan.FromHours(24);

    /// <summary>How many recent entries (messages and events) the state keeps before it archives a page.</summary>
    public const int HotLimit = 50;

    /// <summary>
    /// The most entries the hot state may hold when archiving fails (history storage down): beyond it a change is
    /// refused (the webhook stays in the journal, Meta retries) rather than the row outgrowing Azure Table's entity.
    /// </summary>
    public const int MaxHotEntries = HotLimit * 4;

    /// <summary>How many entries one archived page takes.</summary>
    public const int PageSize = 25;

    /// <summary>How many processed message ids are remembered at most (a flood must not grow the state without bound).</summary>
    public const int MaxRememberedMessageIds = 500;

    // Every member stored with the state, in the order of its id: the shape the compatibility fixtures pin.
    /// <summary>The citizen's number in E.164 with "+", when WhatsApp sent one.</summary>
    [Id(0)] public string? PhoneNumber { get; set; }

    /// <summary>The citizen's WhatsApp profile name, when WhatsApp sent one.</summary>
    [Id(1)] public string? ProfileName { get; set; }

    /// <summary>The citizen's messages, ordered by WhatsApp's timestamp, arrival order breaking ties.</summary>
    [Id(2)] public List<InboundMessage> Inbound { get; set; } = [];

    /// <summary>The messages the town sent or is about to send, in the order they were recorded.</summary>
    [Id(3)] public List<OutboundMessage> Outbound { get; set; } = [];

    /// <summary>
    /// WhatsApp message ids recorded by earlier code, with when (today's code records <see cref="ProcessedMessages"/>
    /// and lets these expire).
    /// </summary>
    [Id(4)] public Dictionary<string, DateTimeOffset> ProcessedMessageIds { get; set; } = [];

    /// <summary>Whether the current conversation has had its automatic acknowledgement.</summary>
    [Id(5)] public bool Acknowledged { get; set; }

    [Id(6)] public ConversationStatus Status { get; set; }

    /// <summary>Grows with every change; lets the inbox keep only the newest summary.</summary>
    [Id(7)] public long Revision { get; set; }

    /// <summary>Outbound ids handed out so far: ids are "out-{n}", unique within the citizen.</summary>
    [Id(8)] public long OutboundSequence { get; set; }

    /// <summary>
    /// Set when this identity became another identity of a citizen kept under another key (a changed number or user
    /// id): every call is passed on to that grain.
    /// </summary>
    [Id(9)] public string? ForwardTo { get; set; }

    /// <summary>The citizen's other identities (grain keys) whose conversations are still to be folded into this one.</summary>
    [Id(10)] public List<string> PendingAliases { get; set; } = [];

    /// <summary>WhatsApp's time of the citizen's latest message.</summary>
    [Id(11)] public DateTimeOffset? LastInboundAt { get; set; }

    /// <summary>When staff last replied.</summary>
    [Id(12)] public DateTimeOffset? LastStaffReplyAt { get; set; }

    /// <summary>How many conversations this citizen has had (1 after the first message).</summary>
    [Id(13)] public int ConversationNumber { get; set; }

    /// <summary>The current conversation's category (triage's suggestion until staff choose one).</summary>
    [Id(14)] public string? Category { get; set; }

    /// <summary>Whether the current conversation reported danger.</summary>
    [Id(15)] public bool Urgent { get; set; }

    /// <summary>When the current conversation is due.</summary>
    [Id(16)] public DateTimeOffset? DueAt { get; set; }

    /// <summary>How many pages of older history are archived (see <see cref="NextPageToArchive"/>).</summary>
    [Id(17)] public int ArchivedPages { get; set; }

    /// <summary>Recent status, category and flood changes (older ones are archived with the messages).</summary>
    [Id(18)] public List<ConversationEvent> Events { get; set; } = [];

    /// <summary>
    /// Recently archived outbound messages by wamid, so that a late status report still finds its page (and a
    /// repeated one is known as a duplicate). Kept for <see cref="DeduplicationWindow"/>.
    /// </summary>
    [Id(19)] public Dictionary<string, ArchivedOutbound> ArchivedOutbound { get; set; } = [];

    /// <summary>For a snoozed conversation: until when.</summary>
    [Id(20)] public DateTimeOffset? SnoozedUntil { get; set; }

    /// <summary>The staff coordination queue for the town's own numbers.</summary>
    [Id(21)] public InboxSection Section { get; set; }

    /// <summary>Whether the current conversation hit the flood limit.</summary>
    [Id(22)] public bool Flooding { get; set; }

    /// <summary>The citizen's messages as a token bucket against floods.</summary>
    [Id(23)] public TokenBucket? InboundBucket { get; set; }

    /// <summary>The town's messages to this citizen as a token bucket (Meta's per-recipient pace).</summary>
    [Id(24)] public TokenBucket? OutboundBucket { get; set; }

    /// <summary>The language the citizen last wrote in clearly ("de", "en", "uk", …).</summary>
    [Id(25)] public string? Language { get; set; }

    /// <summary>What the inbox shows of the citizen's latest message (kept here: the message may be archived).</summary>
    [Id(26)] public string? LastInboundPreview { get; set; }

    /// <summary>Whether staff chose the category (then triage no longer changes it).</summary>
    [Id(27)] public bool CategoryChosenByStaff { get; set; }

    /// <summary>
    /// The deduplication window: recorded messages by a 64-bit digest of their deduplication key (SHA-256, stable
    /// across processes), with when. A digest instead of the id keeps a full window small.
    /// </summary>
    [Id(28)] public Dictionary<ulong, DateTimeOffset> ProcessedMessages { get; set; } = [];

    /// <summary>Not before this time does anything go to this citizen (Meta's 131056: too many messages to them).</summary>
    [Id(29)] public DateTimeOffset? RecipientBackoffUntil { get; set; }

    /// <summary>How many 131056 answers in a row: the backoff is 4^count seconds.</summary>
    [Id(30)] public int RecipientThrottles { get; set; }

    /// <summary>The staff member the conversation is assigned to.</summary>
    [Id(31)] public string? Assignee { get; set; }

    [Id(32)] public ConversationPriority Priority { get; set; }

    /// <summary>When staff last read the conversation.</summary>
    [Id(33)] public DateTimeOffset? LastReadAt { get; set; }

    /// <summary>When the current conversation started (its first message).</summary>
    [Id(34)] public DateTimeOffset? ConversationStartedAt { get; set; }

    /// <summary>No staff reply yet in the current conversation (for the time-to-first-response metric).</summary>
    [Id(35)] public bool AwaitingFirstResponse { get; set; }

    /// <summary>The lists the citizen is a member of.</summary>
    [Id(36)] public List<ListMembership> Memberships { get; set; } = [];

    /// <summary>Every consent given and withdrawn, oldest first (kept for the GDPR; erased with the citizen).</summary>
    [Id(37)] public List<ConsentRecord> ConsentHistory { get; set; } = [];

    /// <summary>The citizen stopped marketing messages in WhatsApp (<c>user_preferences</c>).</summary>
    [Id(38)] public bool MarketingStopped { get; set; }

    /// <summary>The broadcasts whose part was queued here, newest last (bounded by <see cref="RememberedBroadcasts"/>).</summary>
    [Id(39)] public List<string> HandledBroadcasts { get; set; } = [];

    /// <summary>Other identities of this citizen whose state was folded in here (their list and broadcast rows carry those keys).</summary>
    [Id(40)] public List<string> FoldedKeys { get; set; } = [];

    /// <summary>Every other identity folded into this citizen (their grain keys), for export and erasure.</summary>
    [Id(41), PersonalIdentifier] public List<string> FormerKeys { get; set; } = [];

    /// <summary>When the status last changed (a resolved conversation's retention counts from here).</summary>
    [Id(42)] public DateTimeOffset? StatusChangedAt { get; set; }

    /// <summary>An erasure begun and not yet finished.</summary>
    [Id(43)] public PendingErasure? Erasure { get; set; }

    /// <summary>The citizen's earlier conversations, ended and still kept, oldest first.</summary>
    [Id(44)] public List<EndedConversation> EndedConversations { get; set; } = [];

    /// <summary>
    /// The current conversation was resolved and deleted by retention while an earlier one is kept (until the next
    /// status change or conversation).
    /// </summary>
    [Id(45)] public bool CurrentConversationExpired { get; set; }

    /// <summary>The citizen's WhatsApp username (2026), when Meta sent one.</summary>
    [Id(46)] public string? Username { get; set; }

    /// <summary>The wamid of the citizen's newest message marked read at WhatsApp (blue ticks), if any.</summary>
    [Id(47)] public string? ReadReceiptSentFor { get; set; }

    /// <summary>Blocked at WhatsApp by a supervisor: messages are recorded, never acknowledged.</summary>
    [Id(48)] public bool Blocked { get; set; }

    /// <summary>The requests whose outcome the citizen was told (<c>{id}:{status}</c>): each once.</summary>
    [Id(49)] public List<string>? NotifiedRequests { get; set; }
}

/// <summary>Where an archived outbound message lives, so that a late delivery report still reaches it.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ArchivedOutbound")]
public sealed record ArchivedOutbound([property: Id(0)] int Page, [property: Id(1)] DateTimeOffset At);
