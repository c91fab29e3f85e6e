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
