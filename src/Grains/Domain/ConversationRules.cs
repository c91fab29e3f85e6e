using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// When a citizen's message opens a new conversation (and so a new acknowledgement), and when an acknowledgement
/// would only repeat what staff just wrote.
/// </summary>
/// <param name="SilenceStartsNewConversation">No message from either side for longer than this ends a conversation.</param>
/// <param name="QuietAfterStaffReply">No acknowledgement within this long after a staff reply.</param>
[GenerateSerializer, Immutable, Alias("goldbach.ConversationRules")]
public sealed record ConversationRules(
    [property: Id(0)] TimeSpan SilenceStartsNewConversation,
    [property: Id(1)] TimeSpan QuietAfterStaffReply)
{
    public static ConversationRules For(TenantOptions tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new(tenant.ConversationSilence, tenant.QuietAfterStaffReply);
    }

    public bool StartsNewConversation(DateTimeOffset? lastActivity, DateTimeOffset messageAt) =>
        lastActivity is { } last && messageAt - last > SilenceStartsNewConversation;

    public bool StaffJustReplied(DateTimeOffset? lastStaffReply, DateTimeOffset now) =>
        lastStaffReply is { } reply && now - reply < QuietAfterStaffReply;
}
