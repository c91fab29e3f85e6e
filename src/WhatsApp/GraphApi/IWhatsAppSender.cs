namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>Sends messages through WhatsApp's Graph API (in production Meta's, locally the stand-in).</summary>
public interface IWhatsAppSender
{
    /// <summary>
    /// Sends a text message and returns WhatsApp's message id (<c>wamid.…</c>). <paramref name="callbackData"/>
    /// (at most 512 characters) comes back in the message's status webhooks.
    /// </summary>
    /// <exception cref="WhatsAppApiException">The API refused the message or could not be reached.</exception>
    Task<string> SendTextAsync(string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken);

    /// <summary>Sends an approved template (outside the 24-hour window) and returns WhatsApp's message id.</summary>
    /// <exception cref="WhatsAppApiException">The API refused the message or could not be reached.</exception>
    Task<string> SendTemplateAsync(string phoneNumberId, WhatsAppRecipient recipient, WhatsAppTemplate message, string? callbackData, CancellationToken cancellationToken);
}

/// <summary>An approved message template: its name, language code and the body's parameters in order.</summary>
public sealed record WhatsAppTemplate(string Name, string Language, IReadOnlyList<string> BodyParameters);

/// <summary>
/// Whom to send to: the phone number in E.164 when known (Meta prefers it), otherwise the business-scoped user id.
/// </summary>
public readonly record struct WhatsAppRecipient(string? PhoneNumber, string? BusinessScopedUserId)
{
    public override string ToString() => "[recipient]";
}
