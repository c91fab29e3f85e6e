using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;

namespace GoldbachActors.Grains.Privacy;

/// <summary>
/// The part of an erasure outside the citizen's own state: the inbox rows first, then history pages, media, list
/// memberships, broadcast recipients, the messaging limit's records, former identities and the audit log's names.
/// The citizen grain plans the erasure (its state replaced by the plan: the point of no return), calls this, and
/// clears its state when this returns; a step storage refuses is finished by the citizen's reminder or a repeat.
/// </summary>
public sealed class ErasureSweep(
    IGrainFactory grains, IConversationHistoryStore history, MediaDownloader media, IBroadcastStore broadcastStore, IAuditLog audit)
{
    /// <summary>
    /// Clears every store <paramref name="pending"/> names for <paramref name="citizen"/> (its keys, blobs and lists,
    /// with <paramref name="configuredLists"/>): each step idempotent, so a repeat finds nothing more to delete.
    /// </summary>
    public async Task<ErasureReport> SweepAsync(CitizenKey citizen, PendingErasure pending, IEnumerable<string> configuredLists)
    {
        var keys = pending.Keys.Select(CitizenKey.ParseGrainKey).ToList();
        // The inbox rows first (name, number and the last message's preview), so that a step refused later leaves
        // nothing of the citizen in front of staff while the reminder finishes the rest.
        foreach (var key in keys)
        {
            await grains.GetGrain<ITenantInboxGrain>(citizen.Tenant).RemoveAsync(key.GrainKey);
        }
        foreach (var key in keys)
        {
            await history.DeleteAllAsync(key, CancellationToken.None);
        }
        var mediaFiles = await media.DeleteAllAsync(keys, pending.BlobNames, CancellationToken.None);
        // Requests stay as the town's work record, without the citizen, their words or their photos.
        var requests = 0;
        foreach (var key in keys)
        {
            requests += await grains.GetGrain<IServiceRequestsGrain>(citizen.Tenant).ForgetCitizenAsync(key.GrainKey);
        }
        var lists = 0;
        var broadcasts = 0;
        if (!pending.KeepConsent)
        {
            // The configured lists and any the citizen was in, also one since removed from the configuration (its rows
            // stay in storage until swept).
            var listIds = configuredLists.Union(pending.ListsToSweep, StringComparer.Ordinal).ToList();
            foreach (var key in keys)
            {
                foreach (var listId in listIds)
                {
                    // The list grain knows all its rows (loaded on activation): it deletes the row and says if there was one.
                    lists += await grains.GetGrain<IBroadcastListGrain>(ListIds.GrainKey(citizen.Tenant, listId)).RemoveAsync(key.GrainKey) ? 1 : 0;
                }
                foreach (var broadcastId in await broadcastStore.FindRecipientBroadcastsAsync(citizen.Tenant, key.GrainKey))
                {
                    await grains.GetGrain<IBroadcastGrain>(ListIds.GrainKey(citizen.Tenant, broadcastId)).ForgetRecipientAsync(key.GrainKey);
                    broadcasts++;
                }
                await grains.GetGrain<IMessagingLimitGrain>(citizen.Tenant).ForgetAsync(key.GrainKey);
                if (key.GrainKey != citizen.GrainKey)
                {
                    await grains.GetGrain<ICitizenGrain>(key.GrainKey).ForgetAliasAsync(citizen.GrainKey);
                }
            }
        }
        var auditEntries = await audit.RedactAsync(
            citizen.Tenant, [.. keys.Select(k => k.ResourceName)], pending.Erasure.AuditReference, CancellationToken.None);
        return new ErasureReport(pending.Erasure.ErasureId, pending.Messages, pending.HistoryPages, mediaFiles, lists, broadcasts,
            keys.Count, auditEntries)
        {
            ConsentKept = pending.KeepConsent,
            Requests = requests,
        };
    }
}
