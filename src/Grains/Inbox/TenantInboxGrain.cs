using System.Collections.Immutable;
using GoldbachActors.Contracts;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// A tenant's inbox: all conversation summaries in memory, sorted for listing, written through to the index store
/// with group commit. Reentrant, so that many citizens' updates share one storage round trip.
/// </summary>
[Reentrant]
public sealed class TenantInboxGrain(IConversationIndexStore store) : Grain, ITenantInboxGrain
{
    private readonly Dictionary<string, Entry> _byKey = [];
    private readonly SortedSet<ConversationSummary> _ordered = new(InboxOrder.Instance);
    private GroupCommit<string, ConversationSummary>? _commit;
    private string _tenant = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = this.GetPrimaryKeyString();
        _commit = new GroupCommit<string, ConversationSummary>(
            batch => store.UpsertAsync(_tenant, batch, CancellationToken.None));
        foreach (var summary in await store.LoadAsync(_tenant, cancellationToken))
        {
            _byKey[summary.CitizenKey] = new Entry(summary, Durable: true);
            _ordered.Add(summary);
        }
    }

    public async Task UpsertAsync(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (CitizenKey.ParseGrainKey(summary.CitizenKey).Tenant != _tenant)
        {
            throw new ArgumentException("The summary belongs to another tenant's inbox.", nameof(summary));
        }
        if (_byKey.TryGetValue(summary.CitizenKey, out var known))
        {
            if (known.Summary.Revision > summary.Revision || (known.Summary.Revision == summary.Revision && known.Durable))
            {
                return;
            }
            _ordered.Remove(known.Summary);
        }
        _byKey[summary.CitizenKey] = new Entry(summary, Durable: false);
        _ordered.Add(summary);

        await _commit!.WriteAsync(summary.CitizenKey, summary);

        // A newer revision may have replaced this one while the write was under way; it has its own write.
        if (_byKey.TryGetValue(summary.CitizenKey, out var current) && ReferenceEquals(current.Summary, summary))
        {
            _byKey[summary.CitizenKey] = current with { Durable = true };
        }
    }

    public async Task RemoveAsync(string citizenGrainKey)
    {
        if (CitizenKey.ParseGrainKey(citizenGrainKey).Tenant != _tenant)
        {
            throw new ArgumentException("The conversation belongs to another tenant's inbox.", nameof(citizenGrainKey));
        }
        if (_byKey.Remove(citizenGrainKey, out var known))
        {
            _ordered.Remove(known.Summary);
        }
        await store.DeleteAsync(_tenant, citizenGrainKey, CancellationToken.None);
    }

    public Task<InboxPage> ListAsync(int pageSize, string? pageToken, InboxSection? section = null)
    {
        if (pageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), "A page holds 1 to 1,000 conversations.");
        }
        IEnumerable<ConversationSummary> candidates = _ordered;
        if (!string.IsNullOrEmpty(pageToken))
        {
            var after = InboxPageToken.Parse(pageToken);
            candidates = candidates.Where(s => InboxOrder.Instance.Compare(s, after) > 0);
        }
        if (section is { } only)
        {
            candidates = candidates.Where(s => s.Section == only);
        }
        var page = candidates.Take(pageSize + 1).ToList();
        string? next = null;
        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
            next = InboxPageToken.Format(page[^1]);
        }
        return Task.FromResult(new InboxPage([.. page], next));
    }

    private sealed record Entry(ConversationSummary Summary, bool Durable);
}
