using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// An erasure under way: what is still to be swept from the other stores. Stored in place of the conversation (the
/// point of no return), so that a crash half-way is finished by the reminder or a repeated call.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.PendingErasure")]
public sealed record PendingErasure(
    [property: Id(0)] CitizenErasure Erasure,
    [property: Id(1)] bool KeepConsent,
    [property: Id(2), PersonalIdentifier] ImmutableArray<string> Keys,
    [property: Id(3)] ImmutableArray<string> BlobNames,
    [property: Id(4)] int Messages,
    [property: Id(5)] int HistoryPages)
{
    /// <summary>
    /// Every list the citizen was ever in or asked about (memberships and consent history), so that a list since
    /// removed from the configuration is swept too.
    /// </summary>
    [Id(6)] public ImmutableArray<string> ListIds { get; init; } = [];

    /// <summary>
    /// <see cref="ListIds"/>, also for a plan written before they were kept: Orleans reads a field the bytes lack as
    /// the type's default (a default <see cref="ImmutableArray{T}"/>, which cannot be enumerated), not as the initializer.
    /// </summary>
    public ImmutableArray<string> ListsToSweep => ListIds.IsDefault ? [] : ListIds;
}

public sealed partial class CitizenState
{
    /// <summary>How an export names staff: the administration, never a person.</summary>
    public const string Administration = "Verwaltung";

    /// <summary>
    /// Whether the citizen wrote, or joined a list, at the erasure <paramref name="erasedAt"/> or later: a message of
    /// the erasure's own second counts as later (WhatsApp's timestamps have whole seconds; see
    /// <see cref="WrittenBefore"/>), a membership by the grain clock's exact time.
    /// </summary>
    public bool ActiveSince(DateTimeOffset erasedAt) =>
        (LastInboundAt is { } last && !WrittenBefore(last, erasedAt)) || Memberships.Exists(m => m.Since >= erasedAt);

    /// <summary>
    /// Whether a message WhatsApp timestamped <paramref name="sentAt"/> was written before the erasure at
    /// <paramref name="erasedAt"/>. WhatsApp's timestamps have whole seconds: one of the erasure's own second counts as
    /// written after it (a redelivery of one written before is still known by its digest).
    /// </summary>
    public static bool WrittenBefore(DateTimeOffset sentAt, DateTimeOffset erasedAt) =>
        sentAt < erasedAt.AddTicks(-(erasedAt.Ticks % TimeSpan.TicksPerSecond));

    /// <summary>
    /// When the conversation was resolved: the last status change (for states stored before it was kept: the last
    /// status change still in the hot history, else the last message).
    /// </summary>
    public DateTimeOffset? ResolvedAt => Status != ConversationStatus.Resolved
        ? null
        : StatusChangedAt
            ?? Events.LastOrDefault(e => e.Kind == ConversationEventKind.StatusChanged)?.At
            ?? LastActivity;

    /// <summary>Every grain key the citizen's data may be stored under: this one, the folded ones, the number's.</summary>
    public ImmutableArray<string> KeysOf(CitizenKey key)
    {
        var keys = new List<string> { key.GrainKey };
        keys.AddRange(FormerKeys);
        keys.AddRange(FoldedKeys);
        if (PhoneNumber is { } number && CitizenKey.IsValidIdentity(number.TrimStart('+')))
        {
            keys.Add(CitizenKey.Create(key.Tenant, number.TrimStart('+')).GrainKey);
        }
        return [.. keys.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Everything stored about the citizen, with the archived <paramref name="pages"/> (oldest first) put in front of
    /// the hot history.
    /// </summary>
    /// <remarks>
    /// Staff appear as <see cref="Administration"/>: the town answers as "we", and who did what stays internal.
    /// </remarks>
    public CitizenExport ToExport(CitizenKey key, IReadOnlyList<HistoryPage> pages, DateTimeOffset now) => new()
    {
        Conversation = key.ResourceName,
        // The business-scoped user id wherever one is known (Meta's contact book is keyed by it), else the number.
        Identity = KeysOf(key).Select(CitizenKey.ParseGrainKey).Where(k => k.IsBusinessScopedUserId).Select(k => k.Identity).FirstOrDefault() ?? key.Identity,
        PhoneNumber = PhoneNumber,
        ProfileName = ProfileName,
        Language = Language,
        FormerIdentities = [.. KeysOf(key).Skip(1).Select(k => CitizenKey.ParseGrainKey(k).Identity)],
        Summary = ToSummary(key) with { Assignee = null },
        Inbound = [.. pages.SelectMany(p => p.Inbound).Concat(Inbound).OrderBy(m => m.SentAt)],
        Outbound =
        [
            .. pages.SelectMany(p => p.Outbound).Concat(Outbound).OrderBy(m => m.CreatedAt)
                .Select(m => m with { SentBy = m.SentBy is null ? null : Administration, RequestId = null }),
        ],
        Events =
        [
            .. pages.SelectMany(p => p.Events).Concat(Events).OrderBy(e => e.At)
                .Select(e => e.Kind == ConversationEventKind.Assigned
                    ? e with { Actor = Administration, From = string.IsNullOrEmpty(e.From) ? e.From : Administration, To = string.IsNullOrEmpty(e.To) ? e.To : Administration }
                    : e.Actor == ConversationEvent.SystemActor ? e : e with { Actor = Administration }),
        ],
        Memberships = [.. Memberships],
        ConsentHistory = [.. ConsentHistory.Select(c => c.StaffId is null ? c : c with { StaffId = Administration })],
        MarketingStopped = MarketingStopped,
        Broadcasts = [.. HandledBroadcasts],
        ExportedAt = now,
    };

    /// <summary>
    /// Plans the erasure of everything this state and its archived <paramref name="pages"/> lead to, and returns the
    /// state that replaces this one until the sweep is done: empty but for the plan (and, with
    /// <paramref name="keepConsent"/>, what list membership needs: number, language, memberships, consent).
    /// </summary>
    public CitizenState BeginErasure(CitizenKey key, CitizenErasure erasure, bool keepConsent, IReadOnlyList<HistoryPage> pages)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        var inbound = pages.SelectMany(p => p.Inbound).Concat(Inbound).ToList();
        var plan = new PendingErasure(
            erasure,
            keepConsent,
            KeysOf(key),
            [.. inbound.Select(m => m.Media?.BlobName).OfType<string>().Distinct(StringComparer.Ordinal)],
            inbound.Count + pages.Sum(p => p.Outbound.Length) + Outbound.Count,
            ArchivedPages)
        {
            ListIds = [.. Memberships.Select(m => m.ListId).Concat(ConsentHistory.Select(c => c.ListId).OfType<string>()).Distinct(StringComparer.Ordinal)],
        };
        var remaining = new CitizenState { Erasure = plan, Revision = Revision + 1, OutboundSequence = OutboundSequence };
        if (keepConsent)
        {
            remaining.PhoneNumber = PhoneNumber;
            remaining.Language = Language;
            remaining.Memberships = [.. Memberships];
            remaining.ConsentHistory = [.. ConsentHistory];
            remaining.MarketingStopped = MarketingStopped;
            remaining.HandledBroadcasts = [.. HandledBroadcasts];
            remaining.FoldedKeys = [.. FoldedKeys];
            remaining.FormerKeys = [.. FormerKeys];
            remaining.ProcessedMessages = new(ProcessedMessages);
        }
        return remaining;
    }
}
