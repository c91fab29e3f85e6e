using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// A message that is nothing but a list keyword or "STOP", applied to the citizen state: the membership joined or left
/// (with its consent record) and the confirmation queued in the member's language.
/// </summary>
public static class KeywordConsent
{
    /// <summary>
    /// Applies <paramref name="message"/> when it is such a command and returns the changes (empty when it is none, or
    /// "STOP" from someone on no list). A repeated join keyword is confirmed again: the citizen asked, and wants to know
    /// it worked.
    /// </summary>
    public static IReadOnlyList<(string ListId, ConsentAction Action)> Apply(CitizenState state, InboundMessage message, TenantPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(policy);
        if (message.Type != "text" || policy.Options.Lists.Count == 0)
        {
            return [];
        }
        var command = policy.Consent.Recognize(message.Text);
        var changed = new List<(string, ConsentAction)>();
        if (command.Kind == ConsentCommandKind.Join && command.ListId is { } joinList && policy.Options.Lists.TryGetValue(joinList, out var list))
        {
            var language = command.Language is { } l && list.EffectiveLanguages.Contains(l) ? l : list.EffectiveLanguages[0];
            state.Join(new ConsentRecord(joinList, ConsentAction.Joined, now, ConsentChannel.Keyword, null, language, null));
            state.QueueListConfirmation(ListTexts.JoinedText(list, policy.Options.Name, language), now);
            changed.Add((joinList, ConsentAction.Joined));
        }
        else if (command.Kind == ConsentCommandKind.Stop)
        {
            var lists = command.ListId is { } one ? [one] : state.Memberships.Select(m => m.ListId).ToList();
            foreach (var listId in lists)
            {
                if (state.MembershipOf(listId) is not { } membership || !policy.Options.Lists.TryGetValue(listId, out var left))
                {
                    continue;
                }
                var language = command.Language ?? membership.Language;
                state.Leave(new ConsentRecord(listId, ConsentAction.Left, now, ConsentChannel.Keyword, null, language, null));
                state.QueueListConfirmation(ListTexts.LeftText(left, policy.Options.Name, language), now);
                changed.Add((listId, ConsentAction.Left));
            }
        }
        return changed;
    }
}
