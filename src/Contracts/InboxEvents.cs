using System.Collections.Immutable;

namespace GoldbachActors.Contracts;

/// <summary>What happened in a tenant's inbox, as WatchInbox streams it.</summary>
public enum InboxEventKind
{
    /// <summary>A citizen wrote for the first time, or a new conversation started.</summary>
    NewConversation = 0,

    /// <summary>A citizen wrote in an existing conversation.</summary>
    NewMessage = 1,

    /// <summary>The status changed (reopened, waiting, snoozed, resolved).</summary>
    StatusChanged = 2,

    /// <summary>Danger was reported: urgent, due now. The duty phone is told, day or night.</summary>
    UrgentEscalation = 3,

    /// <summary>Another change the inbox shows (category, priority, read, …).</summary>
    Updated = 4,

    /// <summary>Assigned to a staff member, or unassigned.</summary>
    Assigned = 5,

    /// <summary>One of the town's messages could not be delivered.</summary>
    DeliveryFailed = 6,
}

/// <summary>One inbox event at its position in the tenant's feed.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.InboxEvent")]
public sealed record InboxEvent(
    [property: Id(0)] long Position,
    [property: Id(1)] InboxEventKind Kind,
    [property: Id(2)] ConversationSummary Summary,
    [property: Id(3)] DateTimeOffset At);

/// <summary>
/// Events after a watcher's position. <see cref="Reset"/>: the position is unknown to this feed (the inbox restarted,
/// or the watcher fell too far behind): reload the inbox, then follow from <see cref="Position"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.InboxEventBatch")]
public sealed record InboxEventBatch(
    [property: Id(0)] ImmutableArray<InboxEvent> Events,
    [property: Id(1)] string Position,
    [property: Id(2)] bool Reset);
