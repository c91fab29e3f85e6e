using System.Diagnostics;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;
using GoldbachActors.Grains.Privacy;
using GoldbachActors.Grains.Telemetry;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Citizens;

/// <summary>History pages and media: older entries archived before the state grows too large, media stored from Meta.</summary>
public sealed partial class CitizenGrain
{
    // After a write: pages that are due now (PersistAsync archives before it writes, so this rarely finds any).
    private async Task ArchiveAsync()
    {
        var archived = state.State.ArchivedPages;
        if (state.State.NextPageToArchive() is null)
        {
            return;
        }
        await ArchiveBeforeWriteAsync();
        if (state.State.ArchivedPages != archived)
        {
            await PersistAsync();
        }
    }

    // Moves the oldest history out of the hot state, a page at a time, before the state is written, so that the row
    // stays small. A failure leaves everything in the state (larger for a while, up to MaxHotEntries) and is tried
    // again with the next write.
    private async Task ArchiveBeforeWriteAsync()
    {
        try
        {
            while (state.State.NextPageToArchive() is { } page)
            {
                await stores.History.WritePageAsync(_key, page, CancellationToken.None);
                state.State.CommitArchive(page, time.GetUtcNow());
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or TimeoutException or OperationCanceledException)
        {
            diagnostics.LogArchiveFailed(ex);
        }
    }

    // How many of the newest archived pages a late reference (a reaction, a deletion) searches for its target.
    private const int PagesSearchedForTargets = 4;

    // The quote of an archived message: the town's by the index of archived outbound messages, the citizen's in the
    // newest pages. Null when not found (older, or never seen).
    private async Task<QuotedMessage?> QuoteFromHistoryAsync(string wamid)
    {
        await foreach (var page in NewestPagesAsync(wamid))
        {
            if (CitizenState.QuoteOf(page, wamid) is { } quote)
            {
                return quote;
            }
        }
        return null;
    }

    // Applies a reaction, edit or deletion to its target (and a new message takes those that came before it). The
    // citizen's deletion removes the text and the media from storage too, also from an archived page.
    private async Task ApplyReferencesAsync(InboundMessage message)
    {
        var blobs = state.State.ApplyReferences(message).ToBuilder();
        if (message.RevokedMessageId is { } revoked && !state.State.Inbound.Exists(m => m.DeduplicationKey == message.DeduplicationKey && m.AppliedToTarget))
        {
            await foreach (var page in NewestPagesAsync(revoked))
            {
                if (CitizenState.ApplyRevoke(page, revoked, message.SentAt, blobs) is { } updated)
                {
                    await stores.History.WritePageAsync(_key, updated, CancellationToken.None);
                    break;
                }
            }
        }
        if (blobs.Count > 0)
        {
            // Before the state is written: if storage refuses, the webhook is replayed and the deletion done again.
            await stores.Media.DeleteAllAsync([], blobs, CancellationToken.None);
        }
    }

    private async IAsyncEnumerable<HistoryPage> NewestPagesAsync(string wamid)
    {
        if (state.State.ArchivedOutbound.TryGetValue(wamid, out var archived)
            && await stores.History.ReadPageAsync(_key, archived.Page, CancellationToken.None) is { } ours)
        {
            yield return ours;
            yield break;
        }
        for (var number = state.State.ArchivedPages; number > 0 && number > state.State.ArchivedPages - PagesSearchedForTargets; number--)
        {
            if (await stores.History.ReadPageAsync(_key, number, CancellationToken.None) is { } page)
            {
                yield return page;
            }
        }
    }

    // Copies announced media into blob storage, after the webhook was answered. A transient failure is tried again
    // (the media id lives 7 days); a permanent one, or the fifth, marks the file failed for staff to see.
    private async Task StoreMediaAsync(CancellationToken cancellationToken)
    {
        while (state.State.ForwardTo is null && state.State.NextMediaToStore() is { Media: { } pending } message)
        {
            MediaAttachment updated;
            try
            {
                updated = await stores.Media.StoreAsync(_key, message.WhatsAppMessageId, pending, cancellationToken);
            }
            catch (MediaDownloadException ex)
            {
                var attempts = pending.FailedAttempts + 1;
                var giveUp = !ex.IsTransient || attempts >= MaxMediaAttempts;
                updated = pending with
                {
                    Status = giveUp ? MediaStatus.Failed : MediaStatus.Pending,
                    FailedAttempts = attempts,
                    FailureReason = ex.Message,
                };
                diagnostics.LogMediaFailed(pending.Kind, ex.IsTransient, attempts);
                state.State.UpdateMedia(message.WhatsAppMessageId, updated);
                await PersistAsync();
                if (!giveUp)
                {
                    Schedule(ref _mediaTimer, StoreMediaAsync, OutboxRules.RetryDelay(attempts, Random.Shared.NextDouble()));
                    return;
                }
                continue;
            }
            state.State.UpdateMedia(message.WhatsAppMessageId, updated);
            await PersistAsync();
        }
    }
}
