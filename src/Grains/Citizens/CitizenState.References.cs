using System.Collections.Immutable;
using System.Globalization;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// Messages that refer to others: a reply's quote, a reaction (shown on its target, removed when the citizen removes
/// it), an edit (the new text, the old one kept for staff) and a deletion (text and media removed), from the citizen
/// or, for the town's own messages sent from the Business app, from staff.
/// </summary>
public sealed partial class CitizenState
{
    /// <summary>How many characters of a quoted message are kept on the message that quotes it.</summary>
    public const int QuotePreviewLength = 80;

    /// <summary>What a message does to the one it refers to.</summary>
    public static bool IsReference(InboundMessage message) =>
        message?.Type is "reaction" or "edit" or "revoke";

    /// <summary>The quote of the message with <paramref name="wamid"/> in the hot state, or null when it is not there.</summary>
    public QuotedMessage? QuoteOf(string? wamid)
    {
        if (wamid is null)
        {
            return null;
        }
        if (FindTarget(wamid) is var index and >= 0)
        {
            return QuoteOf(Inbound[index], fromTown: false);
        }
        return Outbound.Find(m => m.WhatsAppMessageId == wamid) is { } ours ? QuoteOf(ours) : null;
    }

    /// <summary>The quote of an archived message, when <paramref name="page"/> holds it.</summary>
    public static QuotedMessage? QuoteOf(HistoryPage page, string wamid)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.Inbound.FirstOrDefault(m => m.WhatsAppMessageId == wamid && !IsReference(m)) is { } theirs)
        {
            return QuoteOf(theirs, fromTown: false);
        }
        return page.Outbound.FirstOrDefault(m => m.WhatsAppMessageId == wamid) is { } ours ? QuoteOf(ours) : null;
    }

    /// <summary>
    /// Applies a recorded reaction, edit or deletion of the citizen to its target in the hot state, and a message that
    /// just arrived takes the reactions, edits and deletions that came before it (Meta does not keep order). Returns
    /// the media blobs a deletion leaves to delete.
    /// </summary>
    public ImmutableArray<string> ApplyReferences(InboundMessage recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var blobs = ImmutableArray.CreateBuilder<string>();
        if (IsReference(recorded))
        {
            Apply(recorded, blobs);
        }
        else
        {
            foreach (var early in Inbound.Where(m => IsReference(m) && !m.AppliedToTarget && m.TargetMessageId == recorded.WhatsAppMessageId)
                .OrderBy(m => m.SentAt).ToList())
            {
                Apply(early, blobs);
            }
            // Replies that came before the message they quote get their quote now.
            var quote = QuoteOf(recorded.WhatsAppMessageId);
            for (var i = 0; i < Inbound.Count && quote is not null; i++)
            {
                if (Inbound[i].Quoted is null && !IsReference(Inbound[i]) && Inbound[i].Context?.RepliedToMessageId == recorded.WhatsAppMessageId)
                {
                    Inbound[i] = Inbound[i] with { Quoted = quote };
                }
            }
        }
        return blobs.ToImmutable();
    }

    /// <summary>
    /// Applies a deletion to an archived page that holds its target; returns the page to store again, or null when the
    /// page does not hold it.
    /// </summary>
    public static HistoryPage? ApplyRevoke(HistoryPage page, string wamid, DateTimeOffset at, ImmutableArray<string>.Builder blobs)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(blobs);
        var index = -1;
        for (var i = 0; i < page.Inbound.Length && index < 0; i++)
        {
            index = page.Inbound[i].WhatsAppMessageId == wamid && !IsReference(page.Inbound[i]) ? i : -1;
        }
        if (index < 0 || page.Inbound[index].RevokedAt is not null)
        {
            return null;
        }
        if (page.Inbound[index].Media?.BlobName is { } blob)
        {
            blobs.Add(blob);
        }
        var inbound = page.Inbound.SetItem(index, Revoked(page.Inbound[index], at));
        return page with
        {
            Inbound = [.. inbound.Select(m => m.Quoted is { } quote && quote.MessageId == wamid ? m with { Quoted = quote with { Preview = null } } : m)],
        };
    }

    /// <summary>
    /// Records what staff sent from the WhatsApp Business app (Coexistence), once per wamid; a staff edit or deletion
    /// in the app changes the echo it refers to. Returns false for a duplicate.
    /// </summary>
    /// <remarks>Echoes neither open nor extend the customer-service window, and are never sent by this service.</remarks>
    public bool RecordEcho(InboundMessage echo, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(echo);
        if (!Remember(echo, now))
        {
            return false;
        }
        if (echo.Type == "reaction")
        {
            // Staff reacted in the app: the town's reaction on the citizen's message.
            var reacted = echo.Reaction is { } r ? FindTarget(r.MessageId) : -1;
            if (reacted >= 0)
            {
                Inbound[reacted] = Inbound[reacted] with { TownReaction = echo.Reaction!.Emoji };
                Revision++;
            }
            return true;
        }
        if (echo.Type is "edit" or "revoke")
        {
            var target = Outbound.FindIndex(m => m.WhatsAppMessageId == echo.TargetMessageId);
            if (target >= 0)
            {
                Outbound[target] = echo.Type == "edit"
                    ? Outbound[target] with { Text = echo.Edit?.Text ?? Outbound[target].Text, EditedAt = echo.SentAt }
                    : Outbound[target] with { Text = "", RevokedAt = echo.SentAt };
                Revision++;
            }
            return true;
        }
        Outbound.Add(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.AppEcho,
            Text = echo.Text ?? (echo.Media is { } media ? $"[{media.Kind}]" : $"[{echo.Type}]"),
            State = DeliveryState.Sent,
            WhatsAppMessageId = echo.WhatsAppMessageId,
            CreatedAt = echo.SentAt,
            StateChangedAt = now,
            ConversationNumber = ConversationNumber,
        });
        LastStaffReplyAt = LastStaffReplyAt is { } last && last > echo.SentAt ? last : echo.SentAt;
        Revision++;
        return true;
    }

    /// <summary>
    /// Queues the town's reaction to one of the citizen's messages, or returns the one queued before under the same
    /// request id. Shown on the message at once; an empty emoji removes the town's reaction.
    /// </summary>
    /// <exception cref="ArgumentException">Not one emoji, no such message here, a deleted one, or the window is closed.</exception>
    public OutboundMessage QueueReaction(StaffReaction reaction, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reaction);
        if (Outbound.Find(m => m.RequestId == reaction.RequestId) is { } earlier)
        {
            return earlier;
        }
        if (reaction.Emoji.Length > 0 && !IsOneEmoji(reaction.Emoji))
        {
            throw new ArgumentException("Eine Reaktion ist genau ein Emoji (oder leer, um die Reaktion zu entfernen).", nameof(reaction));
        }
        var target = FindTarget(reaction.MessageId);
        if (target < 0 || Inbound[target].RevokedAt is not null)
        {
            throw new ArgumentException("Auf diese Nachricht kann nicht reagiert werden: sie ist nicht (mehr) in der Unterhaltung.", nameof(reaction));
        }
        if (!IsWindowOpen(now))
        {
            throw new ArgumentException("Reaktionen gehen nur innerhalb des 24-Stunden-Fensters.", nameof(reaction));
        }
        Inbound[target] = Inbound[target] with { TownReaction = reaction.Emoji.Length == 0 ? null : reaction.Emoji };
        return Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.Reaction,
            Text = reaction.Emoji,
            ReactionTo = reaction.MessageId,
            CreatedAt = now,
            SentBy = reaction.By.StaffId,
            RequestId = reaction.RequestId,
            ConversationNumber = ConversationNumber,
        });
    }

    /// <summary>The longest text of a location request message (Meta: "Maximum 1024 characters").</summary>
    public const int MaxLocationRequestText = 1024;

    /// <summary>
    /// Queues Meta's location request message with <paramref name="request"/>'s text, once per request id, inside the
    /// window (it is no template).
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty or too long, or the window is closed.</exception>
    public OutboundMessage QueueLocationRequest(StaffLocationRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Outbound.Find(m => m.RequestId == request.RequestId) is { } earlier)
        {
            return earlier;
        }
        var text = request.Text?.Trim() ?? "";
        if (text.Length is 0 or > MaxLocationRequestText)
        {
            throw new ArgumentException($"Der Text der Ortsanfrage hat 1 bis {MaxLocationRequestText} Zeichen.", nameof(request));
        }
        if (!IsWindowOpen(now))
        {
            throw new ArgumentException("Nach dem Ort fragen geht nur innerhalb des 24-Stunden-Fensters (danach nur mit einer Vorlage).", nameof(request));
        }
        return Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.LocationRequest,
            Text = text,
            CreatedAt = now,
            SentBy = request.By.StaffId,
            RequestId = request.RequestId,
            ConversationNumber = ConversationNumber,
        });
    }

    /// <summary>
    /// The citizen's newest message to mark read at WhatsApp (Meta asks for it within 30 days), or null when there is
    /// none or it is marked already.
    /// </summary>
    public InboundMessage? MessageToMarkRead(DateTimeOffset now, bool again = false)
    {
        var newest = Inbound.FindLast(m => !IsReference(m) && m.Type != "system" && m.RevokedAt is null);
        return newest is null || now - newest.SentAt > TimeSpan.FromDays(30) || (!again && newest.WhatsAppMessageId == ReadReceiptSentFor)
            ? null
            : newest;
    }

    /// <summary>Records a supervisor's block or unblock (done at WhatsApp) as an event of the conversation.</summary>
    public void ChangeBlock(bool block, string staffId, DateTimeOffset now)
    {
        Blocked = block;
        AddEvent(new ConversationEvent(now, staffId, block ? ConversationEventKind.Blocked : ConversationEventKind.Unblocked, null, null));
        Revision++;
    }

    private static bool IsOneEmoji(string text) =>
        new StringInfo(text).LengthInTextElements == 1 && !char.IsLetterOrDigit(text, 0) && !char.IsWhiteSpace(text, 0)
        && !char.IsPunctuation(text, 0) && !char.IsControl(text, 0);

    private void Apply(InboundMessage reference, ImmutableArray<string>.Builder blobs)
    {
        var wamid = reference.TargetMessageId!;
        var target = FindTarget(wamid);
        var ours = target < 0 ? Outbound.FindIndex(m => m.WhatsAppMessageId == wamid) : -1;
        if (target < 0 && (ours < 0 || reference.Type != "reaction"))
        {
            // Not here (archived, or not arrived yet): it stays an entry of its own, with the quote it was given.
            return;
        }
        if (reference.Type == "reaction")
        {
            var emoji = reference.Reaction?.Emoji;
            if (target >= 0)
            {
                Inbound[target] = Inbound[target] with { CitizenReaction = emoji };
            }
            else
            {
                Outbound[ours] = Outbound[ours] with { CitizenReaction = emoji };
            }
        }
        else if (reference.Type == "edit")
        {
            var before = Inbound[target];
            var previous = before.PreviousTexts ?? [];
            Inbound[target] = before.RevokedAt is not null ? before : before with
            {
                Text = reference.Edit?.Text ?? before.Text,
                Media = before.Media is { } media ? media with { Caption = reference.Edit?.Text ?? media.Caption } : null,
                PreviousTexts = before.Text is { } old ? previous.Add(old) : previous,
                EditedAt = reference.SentAt,
            };
        }
        else
        {
            if (Inbound[target].Media?.BlobName is { } blob)
            {
                blobs.Add(blob);
            }
            Inbound[target] = Revoked(Inbound[target], reference.SentAt);
            ForgetQuotesOf(wamid);
        }
        var self = Inbound.FindIndex(m => m.DeduplicationKey == reference.DeduplicationKey);
        if (self >= 0)
        {
            Inbound[self] = Inbound[self] with { AppliedToTarget = true };
        }
        if (target >= 0 && target == Inbound.FindLastIndex(m => !IsReference(m)))
        {
            LastInboundPreview = Inbound[target].RevokedAt is not null ? DeletedText : Preview(Inbound[target]);
        }
        Revision++;
    }

    /// <summary>What staff see in place of a message the citizen deleted.</summary>
    public const string DeletedText = "Nachricht wurde gelöscht";

    // The citizen withdrew the message: nothing of its content stays, only that there was one.
    private static InboundMessage Revoked(InboundMessage message, DateTimeOffset at) => message with
    {
        Text = null,
        Media = null,
        Location = null,
        Contacts = [],
        Button = null,
        Referral = null,
        PreviousTexts = null,
        Quoted = null,
        RevokedAt = at,
    };

    // Quotes of a deleted message keep only that it was deleted.
    private void ForgetQuotesOf(string wamid)
    {
        for (var i = 0; i < Inbound.Count; i++)
        {
            if (Inbound[i].Quoted is { MessageId: var quoted } quote && quoted == wamid)
            {
                Inbound[i] = Inbound[i] with { Quoted = quote with { Preview = null } };
            }
        }
        for (var i = 0; i < Outbound.Count; i++)
        {
            if (Outbound[i].Quoted is { MessageId: var quoted } quote && quoted == wamid)
            {
                Outbound[i] = Outbound[i] with { Quoted = quote with { Preview = null } };
            }
        }
    }

    private int FindTarget(string wamid) => Inbound.FindIndex(m => m.WhatsAppMessageId == wamid && !IsReference(m));

    private static QuotedMessage QuoteOf(InboundMessage message, bool fromTown) =>
        new(message.WhatsAppMessageId, fromTown, message.RevokedAt is not null ? null : Shorten(message.Text ?? (message.Media is { } media ? $"[{media.Kind}]" : $"[{message.Type}]")));

    private static QuotedMessage QuoteOf(OutboundMessage message) =>
        new(message.WhatsAppMessageId!, true, message.RevokedAt is not null ? null : Shorten(message.Text));

    private static string Shorten(string text) =>
        text.Length <= QuotePreviewLength ? text : string.Concat(text.AsSpan(0, QuotePreviewLength - 1), "…");
}
