namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>One message a citizen sent, as read from a webhook's <c>value.messages[]</c>.</summary>
/// <param name="PhoneNumberId">The business number it was sent to (<c>value.metadata.phone_number_id</c>): the tenant.</param>
/// <param name="WaId">The sender's <c>from</c> (phone number digits), absent for some username users.</param>
/// <param name="BusinessScopedUserId">The sender's BSUID (<c>from_user_id</c>), when Meta sends one.</param>
/// <param name="ProfileName">The sender's profile name from <c>value.contacts[]</c>.</param>
/// <param name="WhatsAppMessageId">The <c>wamid.…</c>.</param>
/// <param name="Timestamp">Meta's timestamp (Unix seconds).</param>
/// <param name="Type">The message type (<c>text</c>, <c>image</c>, …).</param>
/// <param name="Text">The body of a text message.</param>
public sealed record WebhookMessage(
    string PhoneNumberId,
    string? WaId,
    string? BusinessScopedUserId,
    string? ProfileName,
    string WhatsAppMessageId,
    DateTimeOffset Timestamp,
    string Type,
    string? Text)
{
    /// <summary>Never prints the sender or the text: this type carries personal data.</summary>
    public override string ToString() => $"WebhookMessage {{ Type = {Type} }}";
}

/// <summary>What one webhook POST carried, in payload order.</summary>
/// <param name="Messages">The citizens' messages.</param>
/// <param name="SkippedItems">Items that could not be read, described without personal data.</param>
public sealed record WebhookPayload(IReadOnlyList<WebhookMessage> Messages, IReadOnlyList<string> SkippedItems);

/// <summary>The body is not a WhatsApp Business Account webhook at all (not JSON, or the wrong shape).</summary>
public sealed class MalformedWebhookException : Exception
{
    public MalformedWebhookException()
    {
    }

    public MalformedWebhookException(string message) : base(message)
    {
    }

    public MalformedWebhookException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
