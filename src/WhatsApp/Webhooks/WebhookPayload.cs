using GoldbachActors.Contracts;

namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>Who sent a message or received a status, as the webhook names them.</summary>
/// <param name="WaId">The <c>wa_id</c> (phone number digits), absent for some username users.</param>
/// <param name="BusinessScopedUserId">The BSUID, when Meta sends one.</param>
public readonly record struct WebhookIdentity(string? WaId, string? BusinessScopedUserId)
{
    /// <summary>Never prints the identity: it is personal data.</summary>
    public override string ToString() => "[identity]";
}

/// <summary>One message a citizen sent (<c>value.messages[]</c>), read into the contract's record.</summary>
/// <param name="PhoneNumberId">The business number it was sent to: the tenant.</param>
/// <param name="Sender">The sender's identities.</param>
/// <param name="Message">The message with its structured content.</param>
public sealed record WebhookMessage(string PhoneNumberId, WebhookIdentity Sender, InboundMessage Message)
{
    public override string ToString() => $"WebhookMessage {{ Type = {Message.Type} }}";
}

/// <summary>One status of a message the town sent (<c>value.statuses[]</c>).</summary>
/// <param name="PhoneNumberId">The business number that sent it: the tenant.</param>
/// <param name="Recipient">The recipient's identities, as far as Meta sent them.</param>
/// <param name="CallbackData">The <c>biz_opaque_callback_data</c> the town attached when sending.</param>
/// <param name="Report">The status.</param>
public sealed record WebhookStatus(string PhoneNumberId, WebhookIdentity Recipient, string? CallbackData, DeliveryReport Report)
{
    public override string ToString() => $"WebhookStatus {{ Status = {Report.Status} }}";
}

/// <summary>A change that is neither a message nor a status (account, template, preference and error updates).</summary>
/// <param name="Field">The change's <c>field</c>, e.g. <c>account_update</c>.</param>
/// <param name="Detail">What kind of update it was, without personal data (e.g. an error code or an event name).</param>
public sealed record WebhookNotification(string Field, string? Detail);

/// <summary>A citizen stopped or resumed marketing messages in WhatsApp (<c>field: user_preferences</c>).</summary>
/// <param name="PhoneNumberId">The business number: the tenant.</param>
/// <param name="User">The citizen.</param>
/// <param name="Category">Meta's category (<c>marketing_messages</c>).</param>
/// <param name="Stopped">Stopped (true) or resumed (false).</param>
/// <param name="At">When.</param>
public sealed record WebhookPreference(string PhoneNumberId, WebhookIdentity User, string Category, bool Stopped, DateTimeOffset At);

/// <summary>What one webhook POST carried, in payload order.</summary>
/// <param name="Messages">The citizens' messages.</param>
/// <param name="Statuses">Statuses of messages the town sent.</param>
/// <param name="Notifications">Other updates, recorded by kind only.</param>
/// <param name="SkippedItems">Items that could not be read, described without personal data.</param>
public sealed record WebhookPayload(
    IReadOnlyList<WebhookMessage> Messages,
    IReadOnlyList<WebhookStatus> Statuses,
    IReadOnlyList<WebhookNotification> Notifications,
    IReadOnlyList<string> SkippedItems)
{
    /// <summary>Citizens' marketing preferences.</summary>
    public IReadOnlyList<WebhookPreference> Preferences { get; init; } = [];

    /// <summary>
    /// What staff sent from the WhatsApp Business app on the same number (<c>smb_message_echoes</c>): the sender is the
    /// citizen the message went to.
    /// </summary>
    public IReadOnlyList<WebhookMessage> Echoes { get; init; } = [];
}

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
