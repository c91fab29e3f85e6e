using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>Identity changes: a new number or user id folded into this citizen, and the alias left behind.</summary>
public sealed partial class CitizenState
{
    /// <summary>
    /// Takes over the conversation another identity of the same citizen collected (messages are deduplicated;
    /// the town's messages keep their state under new ids).
    /// </summary>
    public void Absorb(CitizenHandover handover, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handover);
        foreach (var message in handover.Inbound)
        {
            if (Remember(message, now))
            {
                Insert(message with { PhoneNumber = null, ProfileName = null, Username = null });
            }
        }
        var windowOpen = IsWindowOpen(now);
        foreach (var message in handover.Outbound)
        {
            // Held for a window that is open here: it goes out now.
            Outbound.Add(message.State == DeliveryState.WaitingForWindow && windowOpen
                ? message with { Id = NextOutboundId(), State = DeliveryState.Queued, StateChangedAt = now, ConversationNumber = ConversationNumber }
                : message with { Id = NextOutboundId(), ConversationNumber = ConversationNumber });
        }
        AbsorbConsent(handover);
        Acknowledged |= handover.Acknowledged;
        if (handover.Inbound.Length > 0)
        {
            ConversationNumber = Math.Max(ConversationNumber, 1);
        }
        PhoneNumber ??= handover.PhoneNumber;
        ProfileName ??= handover.ProfileName;
        Revision++;
    }

    /// <summary>What this identity hands over when it turns out to be another identity of a known citizen.</summary>
    public CitizenHandover ToHandover() =>
        new([.. Inbound], [.. Outbound], Acknowledged, PhoneNumber, ProfileName)
        {
            Memberships = [.. Memberships],
            ConsentHistory = [.. ConsentHistory],
            HandledBroadcasts = [.. HandledBroadcasts],
            MarketingStopped = MarketingStopped,
        };

    /// <summary>Whether this identity holds nothing at all (nothing to hand over).</summary>
    public bool IsBlank => !Exists && Outbound.Count == 0 && Memberships.Count == 0 && ConsentHistory.Count == 0 && ForwardTo is null;

    /// <summary>Forgets the conversation after handing it over; from now on every call goes to <paramref name="canonical"/>.</summary>
    public void BecomeAlias(string canonical)
    {
        ForwardTo = canonical;
        Inbound.Clear();
        Outbound.Clear();
        Events.Clear();
        ArchivedOutbound.Clear();
        ArchivedPages = 0;
        ConversationNumber = 0;
        EndedConversations.Clear();
        LastInboundPreview = null;
        ProfileName = null;
        Username = null;
        PhoneNumber = null;
        Memberships.Clear();
        ConsentHistory.Clear();
        HandledBroadcasts.Clear();
        Revision++;
    }

    // The conversation is alive while either side writes.
    private DateTimeOffset? LastActivity =>
        LastStaffReplyAt is { } reply && (LastInboundAt is not { } inbound || reply > inbound) ? reply : LastInboundAt;
}
