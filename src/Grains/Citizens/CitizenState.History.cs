using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>The hot state kept small: older entries archived to history pages, and media waiting to be stored.</summary>
public sealed partial class CitizenState
{
    /// <summary>Whether the hot state holds more than <see cref="MaxHotEntries"/>.</summary>
    public bool IsOversized => Inbound.Count + Outbound.Count + Events.Count > MaxHotEntries;

    /// <summary>Replaces a recorded message's media by a newer version (downloaded, or failed).</summary>
    public void UpdateMedia(string whatsAppMessageId, MediaAttachment media)
    {
        var index = Inbound.FindIndex(m => m.WhatsAppMessageId == whatsAppMessageId && m.Media is not null);
        if (index < 0)
        {
            throw new InvalidOperationException("That message has no media in this conversation.");
        }
        Inbound[index] = Inbound[index] with { Media = media };
        Revision++;
    }

    /// <summary>The oldest message whose media still waits to be downloaded, if any.</summary>
    public InboundMessage? NextMediaToStore() => Inbound.Find(m => m.Media?.Status == MediaStatus.Pending);

    /// <summary>
    /// The oldest entries to move out of the hot state, as page <c>ArchivedPages + 1</c>, once the state holds more
    /// than <see cref="HotLimit"/>; null otherwise. Takes up to <see cref="PageSize"/> entries in time order, passing
    /// over those still in flight (a message waiting to be sent, media waiting to be stored). Changes nothing: the caller
    /// stores the page, then calls <see cref="CommitArchive"/>.
    /// </summary>
    public HistoryPage? NextPageToArchive()
    {
        if (Inbound.Count + Outbound.Count + Events.Count <= HotLimit)
        {
            return null;
        }
        var timeline = Inbound.Select(m => (At: m.SentAt, Order: 0, Item: (object)m))
            .Concat(Outbound.Select(m => (At: m.CreatedAt, Order: 1, Item: (object)m)))
            .Concat(Events.Select(e => (At: e.At, Order: 2, Item: (object)e)))
            .OrderBy(e => e.At).ThenBy(e => e.Order);
        var inbound = new List<InboundMessage>();
        var outbound = new List<OutboundMessage>();
        var events = new List<ConversationEvent>();
        foreach (var (_, _, item) in timeline)
        {
            if (inbound.Count + outbound.Count + events.Count == PageSize)
            {
                break;
            }
            switch (item)
            {
                // Still in flight: stays in the hot state (the outbox and the media download change it), while older
                // and newer settled entries are archived past it, so that a long outage cannot grow the state.
                case InboundMessage { Media.Status: MediaStatus.Pending }:
                case OutboundMessage { State: DeliveryState.Queued or DeliveryState.Sending or DeliveryState.WaitingForWindow }:
                    continue;
                case InboundMessage message:
                    inbound.Add(message);
                    break;
                case OutboundMessage message:
                    outbound.Add(message);
                    break;
                case ConversationEvent change:
                    events.Add(change);
                    break;
            }
        }
        return inbound.Count + outbound.Count + events.Count == 0
            ? null
            : new HistoryPage(ArchivedPages + 1, [.. inbound], [.. outbound], [.. events]);
    }

    /// <summary>Drops what <paramref name="page"/> holds from the hot state once the page is stored.</summary>
    public void CommitArchive(HistoryPage page, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.Number != ArchivedPages + 1)
        {
            throw new InvalidOperationException($"Page {page.Number} is not the next page ({ArchivedPages + 1}).");
        }
        var inbound = page.Inbound.Select(m => m.DeduplicationKey).ToHashSet(StringComparer.Ordinal);
        var outbound = page.Outbound.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        Inbound.RemoveAll(m => inbound.Contains(m.DeduplicationKey));
        Outbound.RemoveAll(m => outbound.Contains(m.Id));
        Events.RemoveAll(page.Events.Contains);
        foreach (var message in page.Outbound)
        {
            if (message.WhatsAppMessageId is { } wamid)
            {
                ArchivedOutbound[wamid] = new ArchivedOutbound(page.Number, now);
            }
        }
        foreach (var (wamid, archived) in ArchivedOutbound)
        {
            if (archived.At < now - DeduplicationWindow)
            {
                ArchivedOutbound.Remove(wamid);
            }
        }
        ArchivedPages = page.Number;
    }
}
