using System.Collections.Immutable;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Citizens;

/// <summary>The citizen's broadcast lists: memberships, consent history, and their part of each broadcast.</summary>
public sealed partial class CitizenState
{
    /// <summary>How many broadcasts the citizen remembers having handled (idempotency after archiving).</summary>
    public const int RememberedBroadcasts = 200;

    /// <summary>How long after a broadcast message the citizen's next message counts as a reply to it.</summary>
    public static readonly TimeSpan BroadcastReplyWindow = TimeSpan.FromDays(7);

    public ListMembership? MembershipOf(string listId) => Memberships.Find(m => m.ListId == listId);

    /// <summary>Records a join (or a new language); false when the citizen was already a member in that language.</summary>
    public bool Join(ConsentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var listId = record.ListId ?? throw new ArgumentException("A join names its list.", nameof(record));
        var language = record.Language ?? throw new ArgumentException("A join names the member's language.", nameof(record));
        var existing = MembershipOf(listId);
        if (existing is not null && existing.Language == language)
        {
            return false;
        }
        Memberships.RemoveAll(m => m.ListId == listId);
        Memberships.Add(new ListMembership(listId, language, existing?.Since ?? record.At));
        ConsentHistory.Add(record);
        Revision++;
        return true;
    }

    /// <summary>Records leaving a list; false when the citizen was not a member.</summary>
    public bool Leave(ConsentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ListId is not { } listId || MembershipOf(listId) is not { } membership)
        {
            return false;
        }
        Memberships.Remove(membership);
        ConsentHistory.Add(record with { Language = record.Language ?? membership.Language });
        Revision++;
        return true;
    }

    /// <summary>Records WhatsApp's marketing preference; false when it did not change.</summary>
    public bool SetMarketingStopped(bool stopped, DateTimeOffset at)
    {
        if (MarketingStopped == stopped)
        {
            return false;
        }
        MarketingStopped = stopped;
        ConsentHistory.Add(new ConsentRecord(null, stopped ? ConsentAction.Left : ConsentAction.Joined, at, ConsentChannel.WhatsAppPreference, null, null, null));
        Revision++;
        return true;
    }

    /// <summary>Queues the confirmation of a join or a stop (a free text: the citizen just wrote).</summary>
    /// <summary>
    /// Queues a request's outcome once per request and status (<paramref name="key"/>): the text inside the window;
    /// outside it the template when there is one, else the text held until the citizen writes. False when told before.
    /// </summary>
    public bool QueueRequestNotice(string key, string text, OutboundTemplate? template, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if ((NotifiedRequests ??= []).Contains(key))
        {
            return false;
        }
        NotifiedRequests.Add(key);
        var open = IsWindowOpen(now);
        var queued = Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.RequestStatus,
            Text = open || template is null ? text : $"[Vorlage {template.Name}: {string.Join(" | ", template.Parameters)}]",
            TemplateName = open ? null : template?.Name,
            TemplateLanguage = open ? null : template?.Language,
            TemplateParameters = open || template is null ? [] : template.Parameters,
            CreatedAt = now,
        });
        if (!open && template is null)
        {
            HoldForWindow(queued, now, null);
        }
        return true;
    }

    public OutboundMessage QueueListConfirmation(string text, DateTimeOffset now)
    {
        var queued = Enqueue(new OutboundMessage { Id = NextOutboundId(), Kind = OutboundKind.ListConfirmation, Text = text, CreatedAt = now });
        return IsWindowOpen(now) ? queued : HoldForWindow(queued, now, null);
    }

    /// <summary>
    /// A conversation opened by nothing but a list keyword needs no staff: it is resolved by the system at once (the
    /// keyword and the confirmation stay in the history).
    /// </summary>
    public void ResolveKeywordConversation(DateTimeOffset messageAt, DateTimeOffset now)
    {
        if (Status == ConversationStatus.New && AwaitingFirstResponse && ConversationStartedAt == messageAt)
        {
            ChangeStatusTo(ConversationStatus.Resolved, now, ConversationEvent.SystemActor);
            AwaitingFirstResponse = false;
            DueAt = null;
            Acknowledged = true;
        }
    }

    /// <summary>
    /// Queues the citizen's part of a broadcast: <paramref name="text"/> as free text while the window is open;
    /// otherwise the <paramref name="template"/> first and the text held until the citizen answers (or only the
    /// template, for a template broadcast, when <paramref name="text"/> is null).
    /// </summary>
    public void QueueBroadcast(string broadcastId, string? text, OutboundTemplate? template, DateTimeOffset now)
    {
        if (template is { } t)
        {
            Enqueue(new OutboundMessage
            {
                Id = NextOutboundId(),
                Kind = OutboundKind.BroadcastTemplate,
                Text = text is null ? $"[Vorlage {t.Name}: {string.Join(" | ", t.Parameters)}]" : $"[Vorlage {t.Name}]",
                TemplateName = t.Name,
                TemplateLanguage = t.Language,
                TemplateParameters = t.Parameters,
                BroadcastId = broadcastId,
                CreatedAt = now,
            });
        }
        if (text is not null)
        {
            Enqueue(new OutboundMessage
            {
                Id = NextOutboundId(),
                Kind = OutboundKind.Broadcast,
                Text = text,
                BroadcastId = broadcastId,
                CreatedAt = now,
                State = template is null ? DeliveryState.Queued : DeliveryState.WaitingForWindow,
                StateChangedAt = template is null ? null : now,
            });
        }
        HandledBroadcasts.Add(broadcastId);
        if (HandledBroadcasts.Count > RememberedBroadcasts)
        {
            HandledBroadcasts.RemoveAt(0);
        }
        Revision++;
    }

    /// <summary>
    /// Where the citizen's part of a broadcast stands: the text's state once it left the hold, else the template's.
    /// Null when this citizen never had it; Sent when its messages were archived since.
    /// </summary>
    public BroadcastDelivery? BroadcastDeliveryOf(string broadcastId)
    {
        OutboundMessage? text = null;
        OutboundMessage? template = null;
        foreach (var message in Outbound)
        {
            if (message.BroadcastId == broadcastId)
            {
                if (message.Kind == OutboundKind.Broadcast)
                {
                    text = message;
                }
                else
                {
                    template = message;
                }
            }
        }
        var primary = text is not null && (text.State != DeliveryState.WaitingForWindow || template is null) ? text : template;
        if (primary is null)
        {
            return HandledBroadcasts.Contains(broadcastId) ? new BroadcastDelivery(RecipientState.Sent, null, false, null) : null;
        }
        var state = primary.State switch
        {
            DeliveryState.Queued or DeliveryState.Sending => RecipientState.Queued,
            DeliveryState.Sent => RecipientState.Sent,
            DeliveryState.Delivered => RecipientState.Delivered,
            DeliveryState.Read => RecipientState.Read,
            DeliveryState.Failed => RecipientState.Failed,
            _ => RecipientState.WaitingForAnswer,
        };
        return new BroadcastDelivery(state, null, template is not null, primary.State == DeliveryState.Failed ? primary.FailureReason : null);
    }

    private void AbsorbConsent(CitizenHandover handover)
    {
        foreach (var membership in handover.Memberships)
        {
            if (MembershipOf(membership.ListId) is null)
            {
                Memberships.Add(membership);
            }
        }
        ConsentHistory.AddRange(handover.ConsentHistory);
        ConsentHistory.Sort((a, b) => a.At.CompareTo(b.At));
        foreach (var broadcastId in handover.HandledBroadcasts.Where(b => !HandledBroadcasts.Contains(b)))
        {
            HandledBroadcasts.Add(broadcastId);
        }
        MarketingStopped |= handover.MarketingStopped;
    }

    /// <summary>The broadcasts with messages in the hot history.</summary>
    public IEnumerable<string> RecentBroadcasts() =>
        Outbound.Where(m => m.BroadcastId is not null).Select(m => m.BroadcastId!).Distinct();

    /// <summary>
    /// The broadcast an inbound message answers: the one whose message it quotes, else the broadcast the town's last
    /// message belonged to, when nothing else was said since and it is less than <see cref="BroadcastReplyWindow"/> old.
    /// </summary>
    public string? BroadcastAnsweredBy(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Context?.RepliedToMessageId is { } quoted
            && Outbound.Find(m => m.WhatsAppMessageId == quoted) is { BroadcastId: { } quotedBroadcast })
        {
            return quotedBroadcast;
        }
        var last = Outbound.Count > 0 ? Outbound.MaxBy(m => m.CreatedAt) : null;
        if (last?.BroadcastId is not { } broadcastId || message.SentAt - last.CreatedAt > BroadcastReplyWindow)
        {
            return null;
        }
        return LastInboundAt is { } lastInbound && lastInbound > last.CreatedAt ? null : broadcastId;
    }
}

/// <summary>A template to send: name, language code, body parameters.</summary>
public sealed record OutboundTemplate(string Name, string Language, ImmutableArray<string> Parameters);
