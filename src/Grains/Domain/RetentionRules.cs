using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// A tenant's retention periods: when a resolved conversation is due for deletion (by its category's period, else
/// the tenant's), and what a run finds due. Plain logic: the retention grain feeds it the inbox's summaries.
/// </summary>
public sealed class RetentionRules(RetentionOptions options)
{
    private const string Uncategorized = "Sonstiges";

    /// <summary>How long a resolved conversation of <paramref name="category"/> is kept; null: until erased on request.</summary>
    public TimeSpan? PeriodFor(string? category)
    {
        var days = category is not null && options.CategoryDays.TryGetValue(category, out var own) ? own : options.ResolvedConversationDays;
        return days > 0 ? TimeSpan.FromDays(days) : null;
    }

    /// <summary>When the conversation is due for deletion; null when it is not resolved or kept for good.</summary>
    public DateTimeOffset? DueAt(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Status == ConversationStatus.Resolved && summary.ResolvedAt is { } resolved ? DueAt(summary.Category, resolved) : null;
    }

    /// <summary>When a conversation of <paramref name="category"/> resolved at <paramref name="resolvedAt"/> is due; null: kept for good.</summary>
    public DateTimeOffset? DueAt(string? category, DateTimeOffset resolvedAt) => resolvedAt + PeriodFor(category);

    /// <summary>Whether a conversation resolved at <paramref name="resolvedAt"/> is due at <paramref name="now"/>.</summary>
    public bool IsDue(string? category, DateTimeOffset resolvedAt, DateTimeOffset now) => DueAt(category, resolvedAt) <= now;

    /// <summary>The audit entries recorded before this time are due; null: kept for good.</summary>
    public DateTimeOffset? AuditCutoff(DateTimeOffset now) =>
        options.AuditEntryDays > 0 ? now - TimeSpan.FromDays(options.AuditEntryDays) : null;

    /// <summary>Resolved conversations per category: how many, how many are due, when the next one will be.</summary>
    public ImmutableArray<RetentionItem> Assess(IEnumerable<ConversationSummary> summaries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        return
        [
            .. summaries
                .Where(s => s.Status == ConversationStatus.Resolved)
                .GroupBy(s => s.Category ?? Uncategorized, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    var due = g.Select(DueAt).ToList();
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
