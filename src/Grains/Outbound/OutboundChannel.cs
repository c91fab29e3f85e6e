using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Outbound;

/// <summary>
/// The Graph API as a citizen's outbox sees it: one message out, as its template or as free text, with the reference
/// its status webhooks bring back; and the rules that decide when the next one may go.
/// </summary>
public sealed class OutboundChannel(IWhatsAppSender sender, IOptions<GraphApiOptions> options)
{
    /// <summary>The outbox's rules for <paramref name="policy"/>'s tenant on this deployment's Graph API.</summary>
    public OutboxRules RulesFor(TenantPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new OutboxRules(policy.Options.OutboundPerRecipient, options.Value.AmbiguousSendGrace);
    }

    /// <summary>Hands <paramref name="message"/> to the Graph API and returns WhatsApp's message id.</summary>
    /// <exception cref="WhatsAppApiException">The API refused the message or could not be reached.</exception>
    public Task<string> SendAsync(
        CitizenKey citizen, WhatsAppRecipient recipient, OutboundMessage message, TenantPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(policy);
        var reference = OutboundReference.Format(citizen, message.Id);
        if (TemplateOf(message, policy) is { } template)
        {
            return sender.SendTemplateAsync(citizen.Tenant, recipient, template, reference, cancellationToken);
        }
        if (message is { Kind: OutboundKind.Reaction, ReactionTo: { } target })
        {
            return sender.SendReactionAsync(citizen.Tenant, recipient, target, message.Text, reference, cancellationToken);
        }
        if (message.Kind == OutboundKind.LocationRequest)
        {
            return sender.SendLocationRequestAsync(citizen.Tenant, recipient, message.Text, reference, cancellationToken);
        }
        return message.Quoted is { } quoted
            ? sender.SendQuotingTextAsync(citizen.Tenant, recipient, message.Text, quoted.MessageId, reference, cancellationToken)
            : sender.SendTextAsync(citizen.Tenant, recipient, message.Text, reference, cancellationToken);
    }

    /// <summary>Blocks or unblocks the citizen at WhatsApp; Meta's per-user answer.</summary>
    /// <exception cref="WhatsAppApiException">The API refused the request or could not be reached.</exception>
    public Task<BlockResult> ChangeBlockAsync(CitizenKey citizen, string user, bool block, CancellationToken cancellationToken) =>
        sender.ChangeBlockAsync(citizen.Tenant, user, block, cancellationToken);

    /// <summary>Marks the citizen's message read at WhatsApp, with the typing indicator when staff are typing.</summary>
    /// <exception cref="WhatsAppApiException">The API refused it or could not be reached.</exception>
    public Task MarkReadAsync(CitizenKey citizen, string whatsAppMessageId, bool typing, CancellationToken cancellationToken) =>
        sender.MarkReadAsync(citizen.Tenant, whatsAppMessageId, typing, cancellationToken);

    // The template a message sends: a broadcast's own, a request notice's, or the tenant's window template; null for
    // free text.
    private static WhatsAppTemplate? TemplateOf(OutboundMessage message, TenantPolicy policy) => message.Kind switch
    {
        OutboundKind.BroadcastTemplate or OutboundKind.RequestStatus when message.TemplateName is { } name =>
            new WhatsAppTemplate(name, message.TemplateLanguage ?? "de", [.. message.TemplateParameters]),
        OutboundKind.WindowTemplate when policy.Options.WindowTemplate is { } template =>
            new WhatsAppTemplate(template.Name, template.Language, template.BodyParameters),
        _ => null,
    };
}
