using System.Globalization;
using System.Text;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>What a citizen's message says about list membership: join a list, stop one or all, or nothing.</summary>
/// <param name="Kind">Join, stop or none.</param>
/// <param name="ListId">The list joined or stopped; null for a plain "STOP" (all lists).</param>
/// <param name="Language">The language of the keyword (the member's language for the list's messages); null when the
/// word belongs to several languages (a plain "STOP").</param>
public sealed record ConsentCommand(ConsentCommandKind Kind, string? ListId, string? Language)
{
    public static ConsentCommand None { get; } = new(ConsentCommandKind.None, null, null);
}

public enum ConsentCommandKind
{
    None = 0,
    Join = 1,
    Stop = 2,
}

/// <summary>
/// Recognises the list keywords of a tenant in a citizen's message: the configured join keywords per list and
/// language, and "STOP" in German, English and Ukrainian (alone: all lists; followed by a list's keyword word: that
/// list). Only a message that is nothing but the keyword counts, so that "Stop, da parkt einer!" is no opt-out.
/// </summary>
public sealed class ConsentKeywords
{
    /// <summary>The stop words by language; a tenant's lists add nothing to these.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> StopWords = new Dictionary<string, string[]>
    {
        ["de"] = ["STOP", "STOPP", "ABMELDEN"],
        ["en"] = ["STOP", "UNSUBSCRIBE"],
        ["uk"] = ["СТОП", "ВІДПИСАТИСЯ"],
    };

    private readonly Dictionary<string, (string ListId, string Language)> _joins = new(StringComparer.Ordinal);
    // The stop words and their language (null where several languages share the word, like "STOP").
    private readonly Dictionary<string, string?> _stops = new(StringComparer.Ordinal);

    public ConsentKeywords(IReadOnlyDictionary<string, BroadcastListOptions> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        foreach (var (language, words) in StopWords)
        {
            foreach (var word in words)
            {
                var normalized = Normalize(word);
                _stops[normalized] = _stops.ContainsKey(normalized) ? null : language;
            }
        }
        foreach (var (listId, list) in lists)
        {
            foreach (var (language, keywords) in list.Keywords)
            {
                foreach (var keyword in keywords)
                {
                    var normalized = Normalize(keyword);
                    if (normalized.Length == 0 || _stops.ContainsKey(normalized) || !_joins.TryAdd(normalized, (listId, language)))
                    {
                        throw new ArgumentException($"Broadcast list '{listId}': the keyword '{keyword}' is empty, a stop word or used twice.");
                    }
                }
            }
        }
    }

    /// <summary>What <paramref name="text"/> asks for.</summary>
    public ConsentCommand Recognize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 100)
        {
            return ConsentCommand.None;
        }
        var normalized = Normalize(text);
        if (_joins.TryGetValue(normalized, out var join))
        {
            return new ConsentCommand(ConsentCommandKind.Join, join.ListId, join.Language);
        }
        if (_stops.TryGetValue(normalized, out var language))
        {
            return new ConsentCommand(ConsentCommandKind.Stop, null, language);
        }
        // "STOP KITZ": a stop word, then the rest of one of a list's join keywords ("START KITZ" → "KITZ"); the
        // language is that keyword's.
        var space = normalized.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && _stops.ContainsKey(normalized[..space]))
        {
            var rest = normalized[(space + 1)..];
            foreach (var (keyword, (listId, keywordLanguage)) in _joins)
            {
                if (keyword.EndsWith(" " + rest, StringComparison.Ordinal) || keyword == rest)
                {
                    return new ConsentCommand(ConsentCommandKind.Stop, listId, keywordLanguage);
                }
            }
        }
        return ConsentCommand.None;
    }

    // Upper case, letters and digits only, single spaces: "  start   Kitz! " → "START KITZ".
    internal static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(c))
            {
                if (space && builder.Length > 0)
                {
                    builder.Append(' ');
                }
                builder.Append(char.ToUpper(c, CultureInfo.InvariantCulture));
                space = false;
            }
            else if (char.IsWhiteSpace(c) || c is '-' or '_')
            {
                space = true;
            }
        }
        return builder.ToString();
    }
}
