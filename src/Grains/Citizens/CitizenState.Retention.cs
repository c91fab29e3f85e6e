using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// Retention per conversation: a citizen's conversations each keep their own category and end, and each is deleted
/// by its own period. An entry belongs to the conversation whose time span holds it (from its start to the next
/// one's; the earliest conversation also holds whatever came before): that is for history stored before messages
/// named their conversation; messages and events since name it.
/// </summary>
public sealed partial class CitizenState
{
    /// <summary>Every conversation that ended and is still kept, oldest first, the current one too once resolved.</summary>
    public ImmutableArray<EndedConversation> KeptConversations() =>
        ResolvedAt is { } resolved && !CurrentConversationExpired
            ? [.. EndedConversations, new EndedConversation(ConversationNumber, ConversationStartedAt ?? DateTimeOffset.MinValue, resolved, Category)]
            : [.. EndedConversations];

    /// <summary>
    /// The kept conversations whose period ran out at <paramref name="now"/>, and whether that is every conversation
    /// (the current one resolved and due too): then the citizen's data goes as a whole.
    /// </summary>
    public (ImmutableArray<EndedConversation> Due, bool All) DueConversations(RetentionRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var kept = KeptConversations();
        var due = kept.Where(c => rules.IsDue(c.Category, c.EndedAt, now)).ToImmutableArray();
        return (due, ResolvedAt is not null && due.Length == kept.Length && due.Length > 0);
    }

    /// <summary>What the conversations numbered <paramref name="numbers"/> hold, to be taken out of the history.</summary>
    public ConversationSpans SpansOf(IEnumerable<int> numbers)
    {
        var wanted = numbers.ToHashSet();
        var all = EndedConversations.Select(c => (c.Number, c.StartedAt))
            .Append((Number: ConversationNumber, StartedAt: ConversationStartedAt ?? DateTimeOffset.MinValue))
            .ToList();
        var spans = new List<(DateTimeOffset From, DateTimeOffset To)>();
        for (var i = 0; i < all.Count; i++)
        {
            if (wanted.Contains(all[i].Number))
            {
                spans.Add((i == 0 ? DateTimeOffset.MinValue : all[i].StartedAt, i == all.Count - 1 ? DateTimeOffset.MaxValue : all[i + 1].StartedAt));
            }
        }
        return new ConversationSpans(wanted, spans);
    }

    /// <summary>
    /// Takes what <paramref name="spans"/> hold out of the hot state (and their conversations out of the kept ones).
    /// Returns the messages removed.
    /// </summary>
    public int RemoveConversations(ConversationSpans spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var removed = Inbound.RemoveAll(m => spans.Holds(m));
        removed += Outbound.RemoveAll(m => spans.Holds(m));
        Events.RemoveAll(spans.Holds);
        EndedConversations.RemoveAll(c => spans.Numbers.Contains(c.Number));
        if (spans.Numbers.Contains(ConversationNumber))
        {
            CurrentConversationExpired = true;
        }
        // The inbox shows no text of a deleted conversation.
        var last = Inbound.Count > 0 ? Inbound[^1] : null;
        LastInboundPreview = last is null ? null : Preview(last);
        Revision++;
        return removed;
    }

    // Called as a new conversation begins: the one before it ended (when it was resolved, else at its last message).
    private void EndConversation(DateTimeOffset next)
    {
        if (ConversationNumber == 0)
        {
            return;
        }
        var started = ConversationStartedAt ?? Inbound.FirstOrDefault()?.SentAt ?? next;
        EndedConversations.Add(new EndedConversation(ConversationNumber, started, ResolvedAt ?? LastActivity ?? next, Category));
    }
}

/// <summary>The time spans of some of a citizen's conversations: which history entries belong to them.</summary>
public sealed class ConversationSpans(IReadOnlySet<int> numbers, IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> spans)
{
    public IReadOnlySet<int> Numbers { get; } = numbers;

    public bool Holds(InboundMessage message) =>
        message.ConversationNumber > 0 ? Numbers.Contains(message.ConversationNumber) : Holds(message.SentAt);

    public bool Holds(OutboundMessage message) =>
        message.ConversationNumber > 0 ? Numbers.Contains(message.ConversationNumber) : Holds(message.CreatedAt);

    public bool Holds(ConversationEvent change) =>
        change.ConversationNumber > 0 ? Numbers.Contains(change.ConversationNumber) : Holds(change.At);

    /// <summary>The page without what the spans hold; null when the page holds none of it.</summary>
    public HistoryPage? Without(HistoryPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!page.Inbound.Any(Holds) && !page.Outbound.Any(Holds) && !page.Events.Any(Holds))
        {
            return null;
        }
        return page with
        {
            Inbound = [.. page.Inbound.Where(m => !Holds(m))],
            Outbound = [.. page.Outbound.Where(m => !Holds(m))],
            Events = [.. page.Events.Where(e => !Holds(e))],
        };
    }

    private bool Holds(DateTimeOffset at) => spans.Any(s => at >= s.From && at < s.To);
}
