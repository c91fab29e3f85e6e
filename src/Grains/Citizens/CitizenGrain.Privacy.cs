using GoldbachActors.Contracts;
using GoldbachActors.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.Grains.Citizens;

/// <summary>The citizen's data protection rights: export (Art. 15), erasure (Art. 17) and the retention rules.</summary>
public sealed partial class CitizenGrain
{
    private const string ErasureReminder = "erasure";
    private const string RetentionActor = "retention";

    public async Task<CitizenExport?> ExportAsync()
    {
        if (state.State.IsBlank || state.State.Erasure is not null)
        {
            return null;
        }
        var export = state.State.ToExport(_key, await ReadArchiveAsync(), time.GetUtcNow());
        // What the broadcast tables keep about the citizen, under any of their keys.
        var recipients = new List<BroadcastRecipientRecord>();
        DateTimeOffset? reached = null;
        foreach (var key in state.State.KeysOf(_key))
        {
            foreach (var broadcastId in await stores.Broadcasts.FindRecipientBroadcastsAsync(_key.Tenant, key))
            {
                if (await stores.Broadcasts.LoadRecipientAsync(_key.Tenant, broadcastId, key) is { } row)
                {
                    recipients.Add(new BroadcastRecipientRecord(broadcastId, row.Language, row.State, row.AsTemplate, row.Reason, row.Replied));
                }
            }
            if (await stores.Broadcasts.LoadReachedAsync(_key.Tenant, key) is { } at && (reached is null || at > reached))
            {
                reached = at;
            }
        }
        return export with { BroadcastRecipients = [.. recipients], ReachedOutsideWindowAt = reached };
    }

    public async Task<ErasureReport> EraseAsync(CitizenErasure erasure)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        if (erasure.Reason == ErasureReason.Restored && state.State.Erasure is null
            && (state.State.IsBlank || state.State.ActiveSince(erasure.RequestedAt)))
        {
            // Nothing came back, or what is here was written after the erasure: a citizen who started afresh.
            return new ErasureReport(erasure.ErasureId, 0, 0, 0, 0, 0, 0, 0);
        }
        return await EraseCoreAsync(erasure, keepConsent: false);
    }

    public async Task<ErasureReport?> ExpireAsync(string erasureId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(erasureId);
        if (state.State.Erasure is { } pending)
        {
            return await EraseCoreAsync(pending.Erasure, pending.KeepConsent);
        }
        var now = time.GetUtcNow();
        if (state.State.ForwardTo is not null)
        {
            return null;
        }
        var (due, all) = state.State.DueConversations(RequirePolicy().Retention, now);
        if (due.IsEmpty)
        {
            // Written again, reopened or never resolved since the retention run looked: nothing is due.
            return null;
        }
        var report = all
            ? await EraseCoreAsync(
                new CitizenErasure(erasureId, RetentionActor, ErasureReason.Retention, now), keepConsent: state.State.Memberships.Count > 0)
            : await ExpireConversationsAsync(erasureId, due);
        foreach (var conversation in due)
        {
            diagnostics.Metrics.RetentionDeleted(GoldbachMetrics.RetentionConversation, conversation.Category, 1);
        }
        return report with { Conversations = due.Length };
    }

    // Earlier conversations whose period ran out while a later one is kept: their messages, events and files leave
    // the hot state and the archived pages (media first, then the pages, then the state: a crash half-way finds the
    // rest on the next run).
    private async Task<ErasureReport> ExpireConversationsAsync(string erasureId, IReadOnlyList<EndedConversation> due)
    {
        var spans = state.State.SpansOf(due.Select(c => c.Number));
        var pages = await ReadArchiveAsync();
        var blobs = pages.SelectMany(p => p.Inbound).Concat(state.State.Inbound)
            .Where(spans.Holds).Select(m => m.Media?.BlobName).OfType<string>().ToList();
        var mediaFiles = await stores.Media.DeleteAllAsync([], blobs, CancellationToken.None);
        var messages = 0;
        var rewritten = 0;
        foreach (var page in pages)
        {
            if (spans.Without(page) is { } kept)
            {
                messages += page.Inbound.Length + page.Outbound.Length - kept.Inbound.Length - kept.Outbound.Length;
                await stores.History.WritePageAsync(_key, kept, CancellationToken.None);
                rewritten++;
            }
        }
        messages += state.State.RemoveConversations(spans);
        await PersistAsync();
        await PublishSummaryAsync();
        diagnostics.LogConversationsExpired(erasureId, due.Count, messages, mediaFiles);
        return new ErasureReport(erasureId, messages, rewritten, mediaFiles, 0, 0, 1, 0) { ConsentKept = state.State.Memberships.Count > 0 };
    }

    public async Task ForgetAliasAsync(string keeperGrainKey)
    {
        if (state.State.ForwardTo is { } keeper && keeper == keeperGrainKey)
        {
            await state.ClearStateAsync();
            state.State = new CitizenState();
            await UnregisterAllRemindersAsync();
            DeactivateOnIdle();
        }
    }

    // Begins (or continues) an erasure: the plan replaces the conversation in storage first, so that whatever happens
    // next, what the citizen wrote is out of the conversation and the rest of the sweep is finished later.
    private async Task<ErasureReport> EraseCoreAsync(CitizenErasure erasure, bool keepConsent)
    {
        var pending = state.State.Erasure;
        if (pending is null)
        {
            // Counted once, when it begins with something to erase (not for a repeat, nor for a key nobody used).
            var counts = !state.State.IsBlank;
            await this.RegisterOrUpdateReminder(ErasureReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            var archive = await ReadArchiveAsync();
            var plan = state.State.BeginErasure(_key, erasure, keepConsent, archive);
            if (!keepConsent && counts)
            {
                // (A citizen with nothing left to erase keeps the tombstone of the erasure that emptied them.)
                // Before anything is gone: a redelivery of what is erased must find the tombstone, not a blank citizen.
                await stores.Tombstones.RecordAsync(
                    plan.Erasure!.Keys.Select(CitizenKey.ParseGrainKey), erasure.RequestedAt,
                    state.State.ProcessedMessages.Keys.Concat(state.State.ProcessedMessageIds.Keys.Select(CitizenState.Digest)));
            }
            state.State = plan;
            pending = state.State.Erasure!;
            _dispatchTimer?.Dispose();
            _dispatchTimer = null;
            _mediaTimer?.Dispose();
            _mediaTimer = null;
            _queuedBy.Clear();
            await PersistAsync();
            if (counts)
            {
                diagnostics.Metrics.Erased(erasure.Reason);
            }
        }
        ErasureReport report;
        try
        {
            report = await SweepAsync(pending);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or TimeoutException or OperationCanceledException)
        {
            diagnostics.LogErasureIncomplete(pending.Erasure.ErasureId, ex.GetType().Name);
            return new ErasureReport(pending.Erasure.ErasureId, pending.Messages, pending.HistoryPages, 0, 0, 0, pending.Keys.Length, 0)
            {
                Finished = false,
            };
        }
        if (pending.KeepConsent)
        {
            state.State.Erasure = null;
            state.State.Revision++;
            await PersistAsync();
            await UnregisterReminderAsync(ErasureReminder);
        }
        else
        {
            if (state.RecordExists)
            {
                await state.ClearStateAsync();
            }
            state.State = new CitizenState();
            await UnregisterAllRemindersAsync();
        }
        _published = null;
        diagnostics.LogErased(pending.Erasure.ErasureId, pending.Erasure.Reason, report.Messages, report.MediaFiles);
        DeactivateOnIdle();
        return report;
    }

    // The other stores' part (ErasureSweep); this grain clears its own state once that is done.
    private Task<ErasureReport> SweepAsync(PendingErasure pending) => stores.Sweep.SweepAsync(_key, pending, RequirePolicy().Options.Lists.Keys);

    private async Task<List<HistoryPage>> ReadArchiveAsync()
    {
        var pages = new List<HistoryPage>();
        for (var number = 1; number <= state.State.ArchivedPages; number++)
        {
            if (await stores.History.ReadPageAsync(_key, number, CancellationToken.None) is { } page)
            {
                pages.Add(page);
            }
        }
        return pages;
    }

    // An erasure that did not finish is finished by its reminder (after a crash, or storage refused a step).
    private async Task ResumeErasureAsync()
    {
        if (state.State.Erasure is { } pending)
        {
            // Not finished: logged, and the next tick tries again.
            await EraseCoreAsync(pending.Erasure, pending.KeepConsent);
        }
        else
        {
            await UnregisterReminderAsync(ErasureReminder);
        }
    }

    private async Task UnregisterAllRemindersAsync()
    {
        foreach (var reminder in await this.GetReminders())
        {
            await this.UnregisterReminder(reminder);
        }
        // The registry row names the citizen: it goes with the erasure, not at the registry's next tick.
        await GrainFactory.GetGrain<IOutboxRegistryGrain>(IOutboxRegistryGrain.GrainKey(_key)).RemoveAsync(_key.GrainKey);
        _outboxRegistered = false;
    }

    private async Task UnregisterReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }



}
