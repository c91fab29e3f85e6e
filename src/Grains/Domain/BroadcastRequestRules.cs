using System.Text.RegularExpressions;
using GoldbachActors.Contracts;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// What a broadcast must be before it starts: one of the tenant's lists, a title, the staff member who sends it, and
/// either texts in the list's languages or one approved template with its parameters and category.
/// </summary>
public static partial class BroadcastRequestRules
{
    public const int MaxTitleLength = 200;

    /// <summary>Throws <see cref="ArgumentException"/> with the reason when <paramref name="request"/> cannot be sent.</summary>
    public static void Validate(BroadcastRequest request, TenantPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.Options.Lists.TryGetValue(request.ListId ?? "", out var list))
        {
            throw new ArgumentException($"'{request.ListId}' is not a list of this tenant.", nameof(request));
        }
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > MaxTitleLength)
        {
            throw new ArgumentException($"A broadcast has a title of 1 to {MaxTitleLength} characters.", nameof(request));
        }
        if (string.IsNullOrWhiteSpace(request.StaffId))
        {
            throw new ArgumentException("A broadcast names the staff member who sends it.", nameof(request));
        }
        var content = request.Content ?? throw new ArgumentException("A broadcast has a content.", nameof(request));
        if (content.TemplateName is { } template)
        {
            if (!content.Texts.IsEmpty)
            {
                throw new ArgumentException("A broadcast is either texts or a template, not both.", nameof(request));
            }
            if (!TemplateName().IsMatch(template))
            {
                throw new ArgumentException("A template name has lower-case letters, digits and '_'.", nameof(request));
            }
            if (content.TemplateParameters.Length > 20 || content.TemplateParameters.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 1024))
            {
                throw new ArgumentException("A template has at most 20 parameters of 1 to 1,024 characters.", nameof(request));
            }
            if (content.TemplateCategory is not ("utility" or "marketing"))
            {
                throw new ArgumentException("A template's category is 'utility' or 'marketing'.", nameof(request));
            }
            return;
        }
        if (content.Texts.IsEmpty)
        {
            throw new ArgumentException("A broadcast has a text in at least one language, or a template.", nameof(request));
        }
        foreach (var (language, text) in content.Texts)
        {
            if (!list.EffectiveLanguages.Contains(language))
            {
                throw new ArgumentException($"The list '{request.ListId}' has no language '{language}' (it has {string.Join(", ", list.EffectiveLanguages)}).", nameof(request));
            }
            if (string.IsNullOrWhiteSpace(text) || text.Length > OutboundLimits.MaxTextLength)
            {
                throw new ArgumentException($"The text in '{language}' has 1 to {OutboundLimits.MaxTextLength} characters.", nameof(request));
            }
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,512}$")]
    private static partial Regex TemplateName();
}
