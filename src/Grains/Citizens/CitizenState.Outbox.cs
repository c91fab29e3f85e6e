using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Citizens;

/// <summary>The town's messages on their way: queued, held for the 24-hour window, sent, and their delivery states.</summary>
public sealed partial class CitizenState
{
    /// <summary>
    /// Queues a staff reply, or returns the one queued before under the same request id. Outside the 24-hour window
    /// the reply is held (<see cref="DeliveryState.WaitingForWindow"/>) and, when the tenant has one, the window
    /// template <paramref name="windowTemplate"/> is queued to ask the citizen to write back.
    /// </summary>
    public OutboundMessage QueueReply(StaffReply reply, DateTimeOffset now, string? windowTemplate = null, QuotedMessage? quoted = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var earlier = Outbound.Find(m => m.RequestId == reply.RequestId);
        if (earlier is not null)
        {
            return earlier;
        }
        ChangeStatusTo(ConversationStatus.WaitingForCitizen, now, reply.StaffId);
        DueAt = null;
        LastStaffReplyAt = now;
        AwaitingFirstResponse = false;
        var queued = Enqueue(new OutboundMessage
        {
            Id = NextOutboundId(),
            Kind = OutboundKind.StaffReply,
            Text = reply.Text,
            CreatedAt = now,
            SentBy = reply.StaffId,
            RequestId = reply.RequestId,
            Quoted = quoted,
        });
        return IsWindowOpen(now) ? queued : HoldForWindow(queued, now, windowTemplate);
    }

    /// <summary>
    /// Holds a free-text message until the citizen writes again, because the 24-hour window is closed; queues the
    /// window template unless one is already on its way. An acknowledgement that missed the window is pointless a
    /// day later: it fails with the reason instead.
    /// </summary>
    public OutboundMessage HoldForWindow(OutboundMessage message, DateTimeOffset now, string? windowTemplate)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind is OutboundKind.Acknowledgement or OutboundKind.ListConfirmation)
        {
            var failed = message with
            {
                State = DeliveryState.Failed,
                FailureCode = WhatsApp.GraphApi.MetaErrorCodes.WindowClosed,
                FailureReason = MetaErrorTexts.Describe(WhatsApp.GraphApi.MetaErrorCodes.WindowClosed, "not sent: the automatic message missed the 24-hour window"),
                StateChangedAt = now,
            };
            Update(failed);
            return failed;
        }
        var held = message with { State = DeliveryState.WaitingForWindow, StateChangedAt = now, SendingSince = null };
        Update(held);
        var templatePending = Outbound.Exists(m => m.Kind == OutboundKind.WindowTemplate && m.State is DeliveryState.Queued or DeliveryState.Sending);
        if (windowTemplate is not null && !templatePending)
        {
            Enqueue(new OutboundMessage
            {
                Id = NextOutboundId(),
                Kind = OutboundKind.WindowTemplate,
                Text = $"[Vorlage {windowTemplate}]",
                TemplateName = windowTemplate,
                CreatedAt = now,
            });
        }
        return held;
    }

    /// <summary>
    /// Applies a status report to the outbound message it names. Reports only move a message forward (see
    /// <see cref="DeliveryProgress"/>), so a repeated or late report changes nothing and needs no deduplication record.
    /// </summary>
    public ReceiveOutcome ApplyReport(DeliveryReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var index = Outbound.FindIndex(m => m.WhatsAppMessageId == report.WhatsAppMessageId);
        if (index < 0 && report.OutboundId is { } id)
        {
            // A send that timed out before the wamid came back: WhatsApp accepted it after all. Never send it again.
            index = Outbound.FindIndex(m => m.Id == id && m.WhatsAppMessageId is null && m.State is DeliveryState.Sending or DeliveryState.Queued);
            if (index >= 0)
            {
                Outbound[index] = Outbound[index] with
                {
                    WhatsAppMessageId = report.WhatsAppMessageId,
                    State = DeliveryState.Sent,
                    SendingSince = null,
                    NextAttemptAt = null,
                    StateChangedAt = report.At,
                };
                Revision++;
                if (Advance(Outbound[index], report) is { } further)
                {
                    Outbound[index] = further;
                }
                return ReceiveOutcome.Recorded;
            }
        }
        if (index < 0)
        {
            return ReceiveOutcome.Unmatched;
        }
        if (Advance(Outbound[index], report) is not { } advanced)
        {
            return ReceiveOutcome.Duplicate;
        }
        Outbound[index] = advanced;
        Revision++;
        return ReceiveOutcome.Recorded;
    }

    /// <summary>
    /// Applies a status report to an archived page that holds the message (a report that came after the message was
    /// archived). Returns the updated page, or null when the report changes nothing.
    /// </summary>
    public static HistoryPage? ApplyReport(HistoryPage page, DeliveryReport report)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(report);
        var index = -1;
        for (var i = 0; i < page.Outbound.Length && index < 0; i++)
        {
            index = page.Outbound[i].WhatsAppMessageId == report.WhatsAppMessageId ? i : -1;
        }
        if (index < 0 || Advance(page.Outbound[index], report) is not { } advanced)
        {
            return null;
        }
        return page with { Outbound = page.Outbound.SetItem(index, advanced) };
    }

    private static OutboundMessage? Advance(OutboundMessage message, DeliveryReport report)
    {
        if (DeliveryProgress.Advance(message.State, report.Status) is not { } next)
        {
            return null;
        }
        var error = report.Errors.IsDefaultOrEmpty ? null : report.Errors[0];
        return message with
        {
            State = next,
            StateChangedAt = report.At,
            FailureCode = next == DeliveryState.Failed ? error?.Code : message.FailureCode,
            FailureReason = next == DeliveryState.Failed
                ? MetaErrorTexts.Describe(error?.Code, error?.Details)
                : message.FailureReason,
        };
    }

    /// <summary>The oldest message still waiting to be sent, if any.</summary>
    /// <summary>
    /// The oldest message still to go out: queued, or handed to the Graph API without a known outcome. Messages go
    /// out in the order they were recorded, so a later one never overtakes it.
    /// </summary>
    public OutboundMessage? NextToSend() => Outbound.Find(m => m.State is DeliveryState.Queued or DeliveryState.Sending);

    /// <summary>Whether anything waits to be sent (what the outbox reminder watches).</summary>
    public bool HasOutboxWork => NextToSend() is not null;

    /// <summary>Replaces an outbound message by a newer version of itself (same id).</summary>
    public void Update(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var index = Outbound.FindIndex(m => m.Id == message.Id);
        if (index < 0)
        {
            throw new InvalidOperationException($"Outbound message {message.Id} is not in this conversation.");
        }
        Outbound[index] = message;
        Revision++;
    }

    private OutboundMessage Enqueue(OutboundMessage message)
    {
        message = message with { ConversationNumber = ConversationNumber };
        Outbound.Add(message);
        Revision++;
        return message;
    }

    private string NextOutboundId() => $"out-{++OutboundSequence}";
}
