using GoldbachActors.WhatsApp.Webhooks;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>What became of a signed webhook body.</summary>
public enum WebhookAcceptResult
{
    /// <summary>Durable (in the journal, or recorded by the grains already): answer 200.</summary>
    Accepted,

    /// <summary>Not a WhatsApp webhook this service understands: answer 400 (Meta would send the same again).</summary>
    Malformed,

    /// <summary>Storage or the cluster refused it; nothing is lost: answer 503 and Meta retries.</summary>
    Unavailable,
}

/// <summary>
/// The webhook's one way in, after the endpoint checked size and signature: parse, then make the body durable in the
/// journal (answered at once; the <see cref="WebhookProcessor"/> records it into the grains right after, or its
/// sweeper replays it) or, with nothing to journal or a body too large for it, record it through
/// <see cref="WebhookIntake"/> before answering.
/// </summary>
public sealed partial class WebhookAcceptance(WebhookJournal journal, WebhookProcessor processor, WebhookIntake intake, ILogger<WebhookAcceptance> logger)
{
    /// <summary>Accepts a signed body; the error says why it was not (the 400's detail).</summary>
    public async Task<(WebhookAcceptResult Result, string? Error)> AcceptAsync(ReadOnlyMemory<byte> body)
    {
        WebhookPayload payload;
        try
        {
            payload = WebhookPayloadParser.Parse(body);
        }
        catch (MalformedWebhookException ex)
        {
            LogMalformed(ex.Message);
            return (WebhookAcceptResult.Malformed, ex.Message);
        }
        try
        {
            if ((payload.Messages.Count > 0 || payload.Statuses.Count > 0 || payload.Preferences.Count > 0) && WebhookJournal.Fits(body))
            {
                // Durable in the journal: answered now, recorded by the grains right after (or replayed).
                var entry = await journal.AppendAsync(body);
                processor.Enqueue(entry, payload);
            }
            else
            {
                // Nothing to store, or a body too large for the journal: recorded before answering.
                await intake.RecordAsync(payload);
            }
            return (WebhookAcceptResult.Accepted, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing is lost: Meta retries a non-200 for days, and recording is idempotent.
            LogRecordingFailed(ex.GetType().Name);
            return (WebhookAcceptResult.Unavailable, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook rejected: {Reason}")]
    private partial void LogMalformed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook not recorded ({ExceptionType}); answered 503 so that Meta retries")]
    private partial void LogRecordingFailed(string exceptionType);
}
