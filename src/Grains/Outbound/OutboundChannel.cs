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
        return TemplateOf(message, policy) is { } template
            ? sender.SendTemplateAsync(citizen.Tenant, recipient, template, reference, cancellationToken)
            : sender.SendTextAsync(citizen.Tenant, recipient, message.Text, reference, cancellationToken);
    }

    // The template a message sends: a broadcast's own, or the tenant's window template; null for free text.
    private static WhatsAppTemplate? TemplateOf(OutboundMessage message, TenantPolicy policy) => message.Kind switch
    {
        OutboundKind.BroadcastTemplate when message.TemplateName is { } name =>
            new WhatsAppTemplate(name, message.TemplateLanguage ?? "de", [.. message.TemplateParameters]),
        OutboundKind.WindowTemplate when policy.Options.WindowTemplate is { } template =>
            new WhatsAppTemplate(template.Name, template.Language, template.BodyParameters),
        _ => null,
    };
}
