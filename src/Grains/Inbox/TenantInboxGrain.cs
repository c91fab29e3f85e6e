using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Telemetry;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// A tenant's inbox: all conversation summaries in memory, sorted for listing, written through to the index store
/// with group commit. Reentrant, so that many citizens' updates share one storage round trip.
/// </summary>
[Reentrant]
public sealed class TenantInboxGrain(IConversationIndexStore store, GoldbachMetrics metrics) : Grain, ITenantInboxGrain
{
    private readonly Dictionary<string, Entry> _byKey = [];
    private GroupCommit<string, ConversationSummary>? _commit;
    private string _tenant = "";

    // The event feed: positions count up within one activation (its epoch); the last events are kept for watchers
    // that reconnect. A position from another epoch, or older than the buffer, makes the watcher reload.
    private const int KeptEvents = 10_000;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(25);

    // Under load the index's writes wait this long for more summaries: a burst of many citizens shares few writes.
    private static readonly TimeSpan CommitLinger = TimeSpan.FromMilliseconds(20);
    private readonly string _epoch = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
    private readonly Queue<InboxEvent> _events = new();
    private long _position;

    // Events up to this position are no longer kept (the feed's capacity): a watcher from before must reload.
    private long _forgottenUpTo;
    private TaskCompletionSource _newEvents = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = this.GetPrimaryKeyString();
        _commit = new GroupCommit<string, ConversationSummary>(
            batch => store.UpsertAsync(_tenant, batch, CancellationToken.None), CommitLinger);
        foreach (var summary in await store.LoadAsync(_tenant, cancellationToken))
        {
            _byKey[summary.CitizenKey] = new Entry(summary, Durable: true);
            metrics.ConversationChanged(_tenant, null, summary);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Another activation (perhaps on another silo) counts them from now on.
        foreach (var entry in _byKey.Values)
        {
            metrics.ConversationChanged(_tenant, entry.Summary, null);
        }
        return base.OnDeactivateAsync(reason, cancellationToken);
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
        }
        _byKey[summary.CitizenKey] = new Entry(summary, Durable: false);
        metrics.ConversationChanged(_tenant, known?.Summary, summary);

        await _commit!.WriteAsync(summary.CitizenKey, summary);

        // A newer revision may have replaced this one while the write was under way; it has its own write.
        if (_byKey.TryGetValue(summary.CitizenKey, out var current) && ReferenceEquals(current.Summary, summary))
        {
            _byKey[summary.CitizenKey] = current with { Durable = true };
        }
        var kind = EventKind(known?.Summary, summary);
        Publish(kind, summary);
        SignalDuty(kind, summary);
    }

    // The duty service hears of new citizens' conversations and of danger, once they are durable here; never of the
    // staff coordination section (the town's own numbers).
    private void SignalDuty(InboxEventKind? kind, ConversationSummary summary)
    {
        DutySignalKind? signal = kind switch
        {
            InboxEventKind.UrgentEscalation => DutySignalKind.Urgent,
            InboxEventKind.NewConversation => DutySignalKind.NewConversation,
            _ => null,
        };
        if (signal is { } ring && summary.Section == InboxSection.Citizens)
        {
            _ = GrainFactory.GetGrain<IDutyGrain>(_tenant).SignalAsync(new DutySignal(summary.CitizenKey, ring, summary.Category, summary.LastMessageAt));
        }
    }

    public async Task<InboxEventBatch> WatchAsync(string? position, TimeSpan wait)
    {
        var after = _position;
        if (position is not null)
        {
            if (!TryParsePosition(position, out var epoch, out after) || epoch != _epoch || after > _position
                || after < _forgottenUpTo)
            {
                return new InboxEventBatch([], FormatPosition(_position), Reset: true);
            }
        }
        if (after == _position && wait > TimeSpan.Zero)
        {
            var signal = _newEvents.Task;
            await Task.WhenAny(signal, Task.Delay(wait < MaxWait ? wait : MaxWait));
        }
        var events = _events.Where(e => e.Position > after).ToImmutableArray();
        return new InboxEventBatch(events, FormatPosition(events.IsEmpty ? after : events[^1].Position), Reset: false);
    }

    private static InboxEventKind? EventKind(ConversationSummary? before, ConversationSummary after)
    {
        // Danger first: a citizen whose very first message reports it must raise the front ends' alert too.
        if (after.Urgent && before?.Urgent != true)
        {
            return InboxEventKind.UrgentEscalation;
        }
        if (before is null)
        {
            return InboxEventKind.NewConversation;
        }
        if (after.Status == ConversationStatus.New && before.Status != ConversationStatus.New)
        {
            return InboxEventKind.NewConversation;
        }
        // WhatsApp's timestamps have whole seconds: two messages in one second differ in their text.
        if (after.LastMessageAt != before.LastMessageAt || after.LastMessagePreview != before.LastMessagePreview)
        {
            return InboxEventKind.NewMessage;
        }
        if (after.Status != before.Status)
        {
            return InboxEventKind.StatusChanged;
        }
        if (after.FailedMessages > before.FailedMessages)
        {
            return InboxEventKind.DeliveryFailed;
        }
        if (after.Assignee != before.Assignee)
        {
            return InboxEventKind.Assigned;
        }
        return after == before with { Revision = after.Revision } ? null : InboxEventKind.Updated;
    }

    private void Publish(InboxEventKind? kind, ConversationSummary summary)
    {
        if (kind is not { } happened)
        {
            return;
        }
        _events.Enqueue(new InboxEvent(++_position, happened, summary, DateTimeOffset.UtcNow));
        while (_events.Count > KeptEvents)
        {
            _forgottenUpTo = _events.Dequeue().Position;
        }
        var signal = _newEvents;
        _newEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.TrySetResult();
    }

    private string FormatPosition(long position) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_epoch}.{position}");

    private static bool TryParsePosition(string position, out string epoch, out long value)
    {
        var dot = position.IndexOf('.', StringComparison.Ordinal);
        epoch = dot > 0 ? position[..dot] : "";
        value = 0;
        return dot > 0 && long.TryParse(position.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    public async Task RemoveAsync(string citizenGrainKey)
    {
        if (CitizenKey.ParseGrainKey(citizenGrainKey).Tenant != _tenant)
        {
            throw new ArgumentException("The conversation belongs to another tenant's inbox.", nameof(citizenGrainKey));
        }
        if (_byKey.Remove(citizenGrainKey, out var removed))
        {
            metrics.ConversationChanged(_tenant, removed.Summary, null);
        }
        // The live feed forgets the citizen too (name, number, preview): a watcher that comes back from an old
        // position sees nothing of them.
        if (_events.Any(e => e.Summary.CitizenKey == citizenGrainKey))
        {
            var kept = _events.Where(e => e.Summary.CitizenKey != citizenGrainKey).ToList();
            _events.Clear();
            kept.ForEach(_events.Enqueue);
        }
        await store.DeleteAsync(_tenant, citizenGrainKey, CancellationToken.None);
    }

    public Task<string?> FindByPhoneAsync(string phoneNumber) =>
        Task.FromResult(_byKey.Values.Where(e => e.Summary.PhoneNumber == phoneNumber)
            .OrderByDescending(e => e.Summary.LastMessageAt).Select(e => e.Summary.CitizenKey).FirstOrDefault());

    public Task<InboxPage> ListAsync(int pageSize, string? pageToken, InboxSection? section = null, InboxFilter? filter = null)
    {
        if (pageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), "A page holds 1 to 1,000 conversations.");
        }
        // The order as of the first page's time, so that later pages continue it while time passes.
        var asOf = DateTimeOffset.UtcNow;
        InboxPosition? after = null;
        if (!string.IsNullOrEmpty(pageToken))
        {
            (asOf, var last) = InboxPageToken.Parse(pageToken);
            after = last;
        }
        IEnumerable<ConversationSummary> candidates = _byKey.Values.Select(e => e.Summary);
        if (section is { } only)
        {
            candidates = candidates.Where(s => s.Section == only);
        }
        if (filter is not null)
        {
            candidates = candidates.Where(filter.Matches);
        }
        var ordered = candidates
            .Select(s => (Summary: s, Position: InboxOrder.PositionOf(s, asOf)))
            .Where(p => after is not { } start || p.Position.CompareTo(start) > 0)
            .OrderBy(p => p.Position)
            .Take(pageSize + 1)
            .ToList();
        string? next = null;
        if (ordered.Count > pageSize)
        {
            ordered.RemoveAt(pageSize);
            next = InboxPageToken.Format(asOf, ordered[^1].Position);
        }
        return Task.FromResult(new InboxPage([.. ordered.Select(p => p.Summary)], next));
    }

    private sealed record Entry(ConversationSummary Summary, bool Durable);
}
