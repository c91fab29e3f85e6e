using System.Collections.Immutable;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>What happened to a conversation, besides its messages: the life cycle, triage, flood protection.</summary>
public enum ConversationEventKind
{
    /// <summary>A citizen's message opened a new conversation (the first one, or after resolution or silence).</summary>
    Started = 0,

    /// <summary>The status changed (<see cref="ConversationEvent.From"/> → <see cref="ConversationEvent.To"/>).</summary>
    StatusChanged = 1,

    /// <summary>The category changed: suggested by triage or chosen by staff.</summary>
    CategoryChanged = 2,

    /// <summary>Danger was reported ("Gefahr in Verzug"): urgent and due at once; the duty phone is told.</summary>
    Escalated = 3,

    /// <summary>The citizen writes faster than the flood limit allows: stored, no further acknowledgement.</summary>
    FloodFlagged = 4,

    /// <summary>An internal note by staff (<see cref="ConversationEvent.To"/> holds its text); never sent.</summary>
    Note = 5,

    /// <summary>Assigned to a staff member (or unassigned: <see cref="ConversationEvent.To"/> empty).</summary>
    Assigned = 6,

    /// <summary>Staff changed the priority.</summary>
    PriorityChanged = 7,

    /// <summary>A supervisor blocked the citizen at WhatsApp (abuse): their messages are no longer acknowledged.</summary>
    Blocked = 8,

    /// <summary>A supervisor lifted the block.</summary>
    Unblocked = 9,
}

/// <summary>One timestamped, attributed change of a conversation. Internal: never shown to the citizen.</summary>
/// <param name="At">When the change took effect.</param>
/// <param name="Actor">The staff member's id, or <see cref="SystemActor"/> for the service's own rules.</param>
/// <param name="Kind">What changed.</param>
/// <param name="From">The value before, if any (a status name, a category).</param>
/// <param name="To">The value after, if any.</param>
[GenerateSerializer, Immutable, Alias("goldbach.ConversationEvent")]
public sealed record ConversationEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] ConversationEventKind Kind,
    [property: Id(3)] string? From,
    [property: Id(4)] string? To)
{
    /// <summary>The actor of changes the service made by its own rules.</summary>
    public const string SystemActor = "system";

    /// <summary>The conversation (1, 2, …) the change belongs to.</summary>
    [Id(5)] public int ConversationNumber { get; init; }

    /// <summary>The client's request id of a staff change (a note), which makes a retried request harmless.</summary>
    [Id(6)] public string? RequestId { get; init; }
}

/// <summary>A staff member's internal note on a conversation.</summary>
/// <param name="RequestId">The client's id of this request; the same id records once.</param>
/// <param name="Text">The note, 1 to 4,096 characters.</param>
/// <param name="By">Who wrote it.</param>
[GenerateSerializer, Immutable, Alias("goldbach.StaffNote")]
public sealed record StaffNote(
    [property: Id(0)] string RequestId,
    [property: Id(1), MessageContent] string Text,
    [property: Id(2)] StaffActor By)
{
    public string StaffId => By.StaffId;
}

/// <summary>
/// An archived part of a citizen's history: the oldest messages and events moved out of the grain's hot state so
/// that the state stays small however long the history grows. Pages are numbered from 1 (the oldest); each is
/// written once (and again only when a late delivery report updates one of its messages).
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.HistoryPage")]
public sealed record HistoryPage(
    [property: Id(0)] int Number,
    [property: Id(1)] ImmutableArray<InboundMessage> Inbound,
    [property: Id(2)] ImmutableArray<OutboundMessage> Outbound,
    [property: Id(3)] ImmutableArray<ConversationEvent> Events)
{
    /// <summary>How many messages and events the page holds.</summary>
    public int Count => Inbound.Length + Outbound.Length + Events.Length;
}

/// <summary>A staff member's change of a conversation's status.</summary>
/// <param name="Status">Open, waiting for the citizen, snoozed or resolved (New is the service's own).</param>
/// <param name="By">Who changed it, for staff and audit only.</param>
/// <param name="SnoozeUntil">For snoozed: until when; null means the start of the next working day.</param>
[GenerateSerializer, Immutable, Alias("goldbach.StatusChange")]
public sealed record StatusChange(
    [property: Id(0)] ConversationStatus Status,
    [property: Id(1)] StaffActor By,
    [property: Id(2)] DateTimeOffset? SnoozeUntil = null)
{
    public string StaffId => By.StaffId;
}

/// <summary>Which part of the inbox a conversation is worked in.</summary>
public enum InboxSection
{
    /// <summary>Citizens writing to the town.</summary>
    Citizens = 0,

    /// <summary>The town's own staff numbers coordinating events and social media: no acknowledgement.</summary>
    Staff = 1,
}
