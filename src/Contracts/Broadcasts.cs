using System.Collections.Immutable;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>Whether a consent record gave or withdrew consent.</summary>
public enum ConsentAction
{
    Joined = 0,
    Left = 1,
}

/// <summary>How consent was given or withdrawn.</summary>
public enum ConsentChannel
{
    /// <summary>The citizen wrote the list's keyword, or "STOP".</summary>
    Keyword = 0,

    /// <summary>A staff member recorded it (the citizen asked by phone, in person, in writing).</summary>
    Staff = 1,

    /// <summary>WhatsApp's <c>user_preferences</c> webhook: the citizen stopped marketing messages in the app.</summary>
    WhatsAppPreference = 2,
}

/// <summary>One entry of a citizen's consent history (kept for the GDPR; erased with the citizen).</summary>
/// <param name="ListId">The list, or null for WhatsApp's marketing preference.</param>
/// <param name="Action">Joined or left.</param>
/// <param name="At">When.</param>
/// <param name="Channel">How.</param>
/// <param name="StaffId">The staff member who recorded it, for <see cref="ConsentChannel.Staff"/>.</param>
/// <param name="Language">The language the member gets the list's messages in.</param>
/// <param name="Note">How the citizen gave consent, in staff's words ("am Telefon, 12.3.").</param>
[GenerateSerializer, Immutable, Alias("goldbach.ConsentRecord")]
public sealed record ConsentRecord(
    [property: Id(0)] string? ListId,
    [property: Id(1)] ConsentAction Action,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] ConsentChannel Channel,
    [property: Id(4)] string? StaffId,
    [property: Id(5)] string? Language,
    [property: Id(6), MessageContent] string? Note);

/// <summary>A citizen's membership of one broadcast list.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ListMembership")]
public sealed record ListMembership(
    [property: Id(0)] string ListId,
    [property: Id(1)] string Language,
    [property: Id(2)] DateTimeOffset Since);

/// <summary>A staff member adds a citizen who asked to a list.</summary>
/// <param name="ListId">The list.</param>
/// <param name="Language">The language of the member's messages (one of the list's, else the tenant's first).</param>
/// <param name="By">Who recorded the consent.</param>
/// <param name="Note">How the citizen gave consent (required: the GDPR asks the town to prove it).</param>
[GenerateSerializer, Immutable, Alias("goldbach.ListJoin")]
public sealed record ListJoin(
    [property: Id(0)] string ListId,
    [property: Id(1)] string Language,
    [property: Id(2)] StaffActor By,
    [property: Id(3), MessageContent] string Note)
{
    public string StaffId => By.StaffId;
}

/// <summary>A member of a list as the list knows them.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ListMember")]
public sealed record ListMember(
    [property: Id(0)] string CitizenKey,
    [property: Id(1)] string Language,
    [property: Id(2)] DateTimeOffset Since);

/// <summary>What staff see of a list.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.ListOverview")]
public sealed record ListOverview(
    [property: Id(0)] string ListId,
    [property: Id(1)] int Members,
    [property: Id(2)] ImmutableDictionary<string, int> MembersByLanguage);

/// <summary>What a broadcast sends: a text per language, or an approved template with parameters.</summary>
/// <param name="Texts">Free text by language (ISO 639-1); a member whose language is missing gets the first one.
/// Members outside their 24-hour window get the list's template, and the text follows once they answer.</param>
/// <param name="TemplateName">A template sent to every member instead (inside or outside the window).</param>
/// <param name="TemplateParameters">The template's body parameters in order.</param>
/// <param name="TemplateCategory"><c>utility</c> or <c>marketing</c>; members who stopped marketing messages in
/// WhatsApp get no marketing template.</param>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastContent")]
public sealed record BroadcastContent(
    [property: Id(0), MessageContent] ImmutableDictionary<string, string> Texts,
    [property: Id(1)] string? TemplateName,
    [property: Id(2), MessageContent] ImmutableArray<string> TemplateParameters,
    [property: Id(3)] string TemplateCategory = "utility")
{
    public bool IsTemplate => TemplateName is not null;

    public bool IsMarketing => string.Equals(TemplateCategory, "marketing", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text for a member's language: theirs if given, else the first language's.</summary>
    public (string Language, string Text)? TextFor(string language)
    {
        if (Texts.TryGetValue(language, out var text))
        {
            return (language, text);
        }
        return Texts.IsEmpty ? null : Texts.OrderBy(t => t.Key == "de" ? 0 : 1).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value)).First();
    }
}

/// <summary>A broadcast as a supervisor starts it.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastRequest")]
public sealed record BroadcastRequest(
    [property: Id(0)] string ListId,
    [property: Id(1)] string Title,
    [property: Id(2)] BroadcastContent Content,
    [property: Id(3)] string StaffId);

/// <summary>One member's part of a broadcast, as the broadcast grain hands it to their citizen grain.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastSend")]
public sealed record BroadcastSend(
    [property: Id(0)] string BroadcastId,
    [property: Id(1)] string ListId,
    [property: Id(2)] BroadcastContent Content);

/// <summary>Where one recipient of a broadcast stands.</summary>
public enum RecipientState
{
    /// <summary>Not yet handed to the citizen's outbox.</summary>
    Pending = 0,

    /// <summary>Waiting for the messaging limit (unique recipients outside the window per 24 hours).</summary>
    Deferred = 1,

    /// <summary>In the citizen's outbox.</summary>
    Queued = 2,
    Sent = 3,
    Delivered = 4,
    Read = 5,
    Failed = 6,

    /// <summary>Not sent: the citizen left the list, or stopped marketing messages.</summary>
    Skipped = 7,

    /// <summary>Outside the window: the template went out, the text waits for the citizen's answer.</summary>
    WaitingForAnswer = 8,
}

/// <summary>What the citizen grain did with its part of a broadcast.</summary>
/// <param name="State">Queued (or further on a repeated call), Skipped, or Pending when a template is needed and was not allowed.</param>
/// <param name="Language">The language of what goes out.</param>
/// <param name="AsTemplate">Whether a template goes out (outside the window, or a template broadcast).</param>
/// <param name="Reason">For a skipped or failed recipient: why, in staff's words.</param>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastDelivery")]
public sealed record BroadcastDelivery(
    [property: Id(0)] RecipientState State,
    [property: Id(1)] string? Language,
    [property: Id(2)] bool AsTemplate,
    [property: Id(3)] string? Reason);

/// <summary>A citizen's view for a broadcast preview.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastAudience")]
public sealed record BroadcastAudience(
    [property: Id(0)] bool Member,
    [property: Id(1)] string? Language,
    [property: Id(2)] bool WindowOpen,
    [property: Id(3)] bool MarketingStopped);

/// <summary>Where a broadcast stands as a whole.</summary>
public enum BroadcastStatus
{
    Sending = 0,

    /// <summary>Everyone it could reach now is reached; the rest waits for the messaging limit (see <see cref="BroadcastProgress.NextBatchAt"/>).</summary>
    WaitingForLimit = 1,

    /// <summary>Every recipient handed to their outbox; reports may still come in.</summary>
    Completed = 2,
}

/// <summary>The preview of a broadcast: who gets what, before it goes out.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastPreview")]
public sealed record BroadcastPreview
{
    [Id(0)] public int Members { get; init; }

    /// <summary>Recipients by the language they get.</summary>
    [Id(1)] public ImmutableDictionary<string, int> ByLanguage { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>Inside their window: free text.</summary>
    [Id(2)] public int AsText { get; init; }

    /// <summary>Outside their window (or a template broadcast): the template.</summary>
    [Id(3)] public int AsTemplate { get; init; }

    /// <summary>Excluded: stopped marketing messages (a marketing template).</summary>
    [Id(4)] public int Excluded { get; init; }

    /// <summary>How many new recipients outside the window the messaging limit allows now (null: unlimited).</summary>
    [Id(5)] public int? LimitRemaining { get; init; }

    /// <summary>The forecast: how many template recipients go out from when (the first now, then one limit a day).</summary>
    [Id(6)] public ImmutableArray<BroadcastBatchPlan> Plan { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("goldbach.BroadcastBatchPlan")]
public sealed record BroadcastBatchPlan([property: Id(0)] DateTimeOffset From, [property: Id(1)] int Recipients);

/// <summary>A broadcast's progress and result.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.BroadcastProgress")]
public sealed record BroadcastProgress
{
    [Id(0)] public required string BroadcastId { get; init; }

    [Id(1)] public required string ListId { get; init; }

    [Id(2), MessageContent] public required string Title { get; init; }

    [Id(3)] public required string CreatedBy { get; init; }

    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }

    [Id(5)] public BroadcastStatus Status { get; init; }

    [Id(6)] public int Recipients { get; init; }

    /// <summary>Recipients by state.</summary>
    [Id(7)] public ImmutableDictionary<RecipientState, int> ByState { get; init; } = ImmutableDictionary<RecipientState, int>.Empty;

    /// <summary>Failed recipients by reason.</summary>
    [Id(8)] public ImmutableDictionary<string, int> FailedByReason { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>When the next deferred recipients go out (messaging limit), if any wait.</summary>
    [Id(9)] public DateTimeOffset? NextBatchAt { get; init; }

    [Id(10)] public DateTimeOffset? CompletedAt { get; init; }

    [Id(11)] public BroadcastContent? Content { get; init; }

    /// <summary>Replies from members since the broadcast (messages marked as a reply to it).</summary>
    [Id(12)] public int Replies { get; init; }

    public int Count(RecipientState state) => ByState.GetValueOrDefault(state);
}

/// <param name="Remaining">New recipients the limit allows now (null: unlimited).</param>
/// <param name="Plan">From when how many go out.</param>
[GenerateSerializer, Immutable, Alias("goldbach.MessagingLimitForecast")]
public sealed record MessagingLimitForecast(
    [property: Id(0)] int? Remaining,
    [property: Id(1)] ImmutableArray<BroadcastBatchPlan> Plan);

/// <param name="Granted">The citizens that may be reached now.</param>
/// <param name="NextCapacityAt">When the limit allows the next new recipient, if some were not granted.</param>
[GenerateSerializer, Immutable, Alias("goldbach.MessagingLimitGrant")]
public sealed record MessagingLimitGrant(
    [property: Id(0)] ImmutableArray<string> Granted,
    [property: Id(1)] DateTimeOffset? NextCapacityAt);

/// <summary>A citizen's list memberships and consent history.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.CitizenConsent")]
public sealed record CitizenConsent(
    [property: Id(0)] ImmutableArray<ListMembership> Memberships,
    [property: Id(1)] ImmutableArray<ConsentRecord> History,
    [property: Id(2)] bool MarketingStopped);
