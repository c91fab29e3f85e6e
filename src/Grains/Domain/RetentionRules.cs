using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// A tenant's retention periods: when a resolved conversation is due for deletion (by its category's period, else
/// the tenant's), and what a run finds due. Each of a citizen's conversations counts on its own (its category, its
/// end). Plain logic: the retention grain feeds it the inbox's summaries.
/// </summary>
public sealed class RetentionRules(RetentionOptions options)
{
    private const string Uncategorized = "Sonstiges";
    private readonly IReadOnlyDictionary<string, int> _periods = options.PeriodsByCategory();

    /// <summary>How long a resolved conversation of <paramref name="category"/> is kept; null: until erased on request.</summary>
    public TimeSpan? PeriodFor(string? category)
    {
        var days = category is not null && _periods.TryGetValue(category, out var own) ? own : options.ResolvedConversationDays;
        return days > 0 ? TimeSpan.FromDays(days) : null;
    }

    /// <summary>
    /// When the first of the citizen's conversations is due for deletion; null when none has ended or all are kept
    /// for good.
    /// </summary>
    public DateTimeOffset? DueAt(ConversationSummary summary) => Ended(summary).Select(c => DueAt(c.Category, c.EndedAt)).Min();

    /// <summary>
    /// The citizen's ended conversations the summary names (a summary stored before they were kept apart: the
    /// resolved conversation it shows).
    /// </summary>
    public static IEnumerable<EndedConversation> Ended(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (!summary.Ended.IsDefaultOrEmpty)
        {
            return summary.Ended;
        }
        return summary.Status == ConversationStatus.Resolved && summary.ResolvedAt is { } resolved
            ? [new EndedConversation(0, resolved, resolved, summary.Category)]
            : [];
    }

    /// <summary>When a conversation of <paramref name="category"/> resolved at <paramref name="resolvedAt"/> is due; null: kept for good.</summary>
    public DateTimeOffset? DueAt(string? category, DateTimeOffset resolvedAt) => resolvedAt + PeriodFor(category);

    /// <summary>Whether a conversation resolved at <paramref name="resolvedAt"/> is due at <paramref name="now"/>.</summary>
    public bool IsDue(string? category, DateTimeOffset resolvedAt, DateTimeOffset now) => DueAt(category, resolvedAt) <= now;

    /// <summary>The audit entries recorded before this time are due; null: kept for good.</summary>
    public DateTimeOffset? AuditCutoff(DateTimeOffset now) =>
        options.AuditEntryDays > 0 ? now - TimeSpan.FromDays(options.AuditEntryDays) : null;

    /// <summary>Ended conversations per category: how many, how many are due, when the next one will be.</summary>
    public ImmutableArray<RetentionItem> Assess(IEnumerable<ConversationSummary> summaries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        return
        [
            .. summaries
                .SelectMany(Ended)
                .GroupBy(c => c.Category ?? Uncategorized, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    var due = g.Select(c => DueAt(c.Category, c.EndedAt)).ToList();
                    var later = due.Where(d => d > now).Min();
                    return new RetentionItem(
                        g.Key,
                        PeriodFor(g.Key == Uncategorized ? null : g.Key) is { } p ? (int)p.TotalDays : 0,
                        g.Count(),
                        due.Count(d => d <= now),
                        later);
                }),
        ];
    }
}
