namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>Limits of WhatsApp's Graph API that are checked before a message is queued.</summary>
public static class OutboundLimits
{
    /// <summary>Meta: a text message body has at most 4,096 characters.</summary>
    public const int MaxTextLength = 4096;
}
