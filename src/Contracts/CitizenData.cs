using System.Collections.Immutable;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>Why a citizen's data is erased.</summary>
public enum ErasureReason
{
    /// <summary>The citizen asked (GDPR Art. 17); a supervisor erased everything.</summary>
    Request = 0,

    /// <summary>The tenant's retention period ran out for a resolved conversation.</summary>
    Retention = 1,

    /// <summary>
    /// A restored backup brought back a citizen erased since: the retention run erases them again, by the tombstone's
    /// time (<see cref="CitizenErasure.RequestedAt"/>), unless they wrote or joined a list since.
    /// </summary>
    Restored = 2,
}

/// <summary>
/// An erasure of one citizen, identified by <see cref="ErasureId"/> (the audit log's reference: it never names the
/// citizen). Repeating an erasure with the same id, or after it finished, changes nothing more.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.CitizenErasure")]
public sealed record CitizenErasure(
    [property: Id(0)] string ErasureId,
    [property: Id(1)] string StaffId,
    [property: Id(2)] ErasureReason Reason,
    [property: Id(3)] DateTimeOffset RequestedAt)
{
    /// <summary>The audit log's name for the erased citizen, in place of their conversation's name.</summary>
    public string AuditReference => $"erasures/{ErasureId}";
}

/// <summary>What an erasure removed (counts only: nothing about the citizen).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ErasureReport")]
public sealed record ErasureReport(
    [property: Id(0)] string ErasureId,
    [property: Id(1)] int Messages,
    [property: Id(2)] int HistoryPages,
    [property: Id(3)] int MediaFiles,
    [property: Id(4)] int Lists,
    [property: Id(5)] int Broadcasts,
    [property: Id(6)] int Identities,
    [property: Id(7)] int AuditEntries)
{
    /// <summary>Kept for list membership: the consent (and the number it needs) survives a retention erasure.</summary>
    [Id(8)] public bool ConsentKept { get; init; }

    /// <summary>
    /// False when storage refused a step: what the citizen wrote is already out of the conversation, and the rest is
    /// finished by the citizen's reminder within minutes, or by repeating the call.
    /// </summary>
    [Id(9)] public bool Finished { get; init; } = true;

    /// <summary>For retention: the conversations deleted (each by its own category's period).</summary>
    [Id(10)] public int Conversations { get; init; }

    /// <summary>The citizen's requests anonymised (they stay as the town's work record, without the citizen).</summary>
    [Id(11)] public int Requests { get; init; }
}

/// <summary>
/// Everything the service keeps about one citizen (GDPR Art. 15), read from every store the citizen's key leads to:
/// the conversation's whole history (archived pages included), internal notes and changes, the town's messages with
/// their delivery states, media references, list memberships and consent. The gateway adds the media files and the
/// audit entries.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.CitizenExport")]
public sealed record CitizenExport
{
    /// <summary>The staff API name of the conversation (<see cref="CitizenKey.ResourceName"/>).</summary>
    [Id(0)] public required string Conversation { get; init; }

    /// <summary>The citizen's WhatsApp identity (BSUID or wa_id).</summary>
    [Id(1), PersonalIdentifier] public required string Identity { get; init; }

    [Id(2), PersonalIdentifier] public string? PhoneNumber { get; init; }

    [Id(3), PersonalIdentifier] public string? ProfileName { get; init; }

    [Id(4)] public string? Language { get; init; }

    /// <summary>Other identities of the same citizen (an earlier number or user id) folded into this conversation.</summary>
    [Id(5), PersonalIdentifier] public ImmutableArray<string> FormerIdentities { get; init; } = [];

    [Id(6)] public required ConversationSummary Summary { get; init; }

    /// <summary>Every message of the citizen, oldest first.</summary>
    [Id(7)] public ImmutableArray<InboundMessage> Inbound { get; init; } = [];

    /// <summary>Every message of the town, oldest first, with its delivery state.</summary>
    [Id(8)] public ImmutableArray<OutboundMessage> Outbound { get; init; } = [];

    /// <summary>Status and category changes, assignments and internal notes, oldest first.</summary>
    [Id(9)] public ImmutableArray<ConversationEvent> Events { get; init; } = [];

    [Id(10)] public ImmutableArray<ListMembership> Memberships { get; init; } = [];

    [Id(11)] public ImmutableArray<ConsentRecord> ConsentHistory { get; init; } = [];

    [Id(12)] public bool MarketingStopped { get; init; }

    /// <summary>The broadcasts that reached (or were meant to reach) the citizen.</summary>
    [Id(13)] public ImmutableArray<string> Broadcasts { get; init; } = [];

    [Id(14)] public DateTimeOffset ExportedAt { get; init; }

    /// <summary>The citizen's row in each broadcast: language, delivery state, failure reason, whether they replied.</summary>
    [Id(15)] public ImmutableArray<BroadcastRecipientRecord> BroadcastRecipients { get; init; } = [];

    /// <summary>When the business number last reached the citizen outside their window (Meta's messaging limit), if within 24 hours.</summary>
    [Id(16)] public DateTimeOffset? ReachedOutsideWindowAt { get; init; }
}

/// <summary>What a broadcast's table keeps about one recipient (for the export).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastRecipientRecord")]
public sealed record BroadcastRecipientRecord(
    [property: Id(0)] string BroadcastId,
    [property: Id(1)] string Language,
    [property: Id(2)] RecipientState State,
    [property: Id(3)] bool AsTemplate,
    [property: Id(4)] string? Reason,
    [property: Id(5)] bool Replied);

/// <summary>How one kind of conversation fares under the tenant's retention rules, as of <see cref="RetentionReport.AsOf"/>.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.RetentionItem")]
public sealed record RetentionItem(
    [property: Id(0)] string Category,
    [property: Id(1)] int PeriodDays,
    [property: Id(2)] int Resolved,
    [property: Id(3)] int Due,
    [property: Id(4)] DateTimeOffset? NextDueAt);

/// <summary>
/// The retention report for the data protection officer: resolved conversations per category, how many are due for
/// deletion, the audit entries past their period. A dry run deletes nothing; an applied run says what it deleted.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.RetentionReport")]
public sealed record RetentionReport(
    [property: Id(0)] DateTimeOffset AsOf,
    [property: Id(1)] bool DryRun,
    [property: Id(2)] ImmutableArray<RetentionItem> Items,
    [property: Id(3)] int AuditEntriesDue,
    [property: Id(4)] int? AuditPeriodDays)
{
    /// <summary>Conversations deleted (applied run only).</summary>
    [Id(5)] public int ConversationsDeleted { get; init; }

    /// <summary>Audit entries deleted (applied run only).</summary>
    [Id(6)] public int AuditEntriesDeleted { get; init; }

    /// <summary>Citizens erased before whom a restored backup brought back (due to be erased again).</summary>
    [Id(7)] public int ErasedCitizensRestored { get; init; }

    /// <summary>Of those, erased again (applied run only).</summary>
    [Id(8)] public int ErasedAgain { get; init; }
}
