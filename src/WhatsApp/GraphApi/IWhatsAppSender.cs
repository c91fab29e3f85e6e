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

    /// <summary>Sends a text that quotes an earlier message of the conversation (<c>context.message_id</c>).</summary>
    /// <exception cref="WhatsAppApiException">The API refused the message or could not be reached.</exception>
    Task<string> SendQuotingTextAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string quotedMessageId, string? callbackData, CancellationToken cancellationToken);

    /// <summary>Sends the business's reaction to a message (an empty <paramref name="emoji"/> removes it).</summary>
    /// <exception cref="WhatsAppApiException">The API refused the reaction or could not be reached.</exception>
    Task<string> SendReactionAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string messageId, string emoji, string? callbackData, CancellationToken cancellationToken);

    /// <summary>
    /// Sends Meta's location request message: <paramref name="text"/> with WhatsApp's fixed "send location" button
    /// (interactive <c>location_request_message</c>, action <c>send_location</c>); inside the window only.
    /// </summary>
    /// <exception cref="WhatsAppApiException">The API refused the message or could not be reached.</exception>
    Task<string> SendLocationRequestAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a received message read (and with it the earlier ones: blue ticks for the citizen); with
    /// <paramref name="typing"/> also shows the typing indicator (until the reply, or 25 seconds).
    /// </summary>
    /// <exception cref="WhatsAppApiException">The API refused it or could not be reached.</exception>
    Task MarkReadAsync(string phoneNumberId, string messageId, bool typing, CancellationToken cancellationToken);

    /// <summary>
    /// Blocks (or unblocks) a user through <c>POST</c> (<c>DELETE</c>) <c>/{phone-number-id}/block_users</c>. Meta answers
    /// per user: the result says whether it was done, else Meta's code and message (e.g. 131047: the user has not
    /// written in the last 24 hours).
    /// </summary>
    /// <exception cref="WhatsAppApiException">The API refused the whole request or could not be reached.</exception>
    Task<BlockResult> ChangeBlockAsync(string phoneNumberId, string user, bool block, CancellationToken cancellationToken);

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

/// <summary>Meta's answer for one user of a block or unblock request.</summary>
/// <param name="Done">Blocked (or unblocked).</param>
/// <param name="Code">For a failure: Meta's code (139100, 139101, 131047, …).</param>
/// <param name="Message">For a failure: Meta's message.</param>
public sealed record BlockResult(bool Done, int? Code, string? Message);
