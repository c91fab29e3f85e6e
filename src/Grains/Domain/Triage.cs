using System.Globalization;
using System.Text;

namespace GoldbachActors.Grains.Domain;

/// <summary>What triage makes of a message: a suggested category and whether there is danger.</summary>
/// <param name="Category">One of the tenant's categories ("Sonstiges" when no rule matched).</param>
/// <param name="Urgent">Danger ("Gefahr in Verzug"): due now, and the duty phone is told even at night.</param>
public sealed record TriageResult(string Category, bool Urgent);

/// <summary>
/// Sorts a citizen's words into the town's categories and spots danger, by keyword stems. Text is folded first
/// (lower case, umlauts and ß spelled out, accents dropped), so "Lärm", "Laerm" and "larm" meet the same rule; a stem
/// matches the start of a word or a part of a compound ("Falschparker" → "park"). Pure and per tenant.
/// </summary>
public sealed class Triage
{
    public const string Other = "Sonstiges";

    /// <summary>The categories from the town's own report, with stems in German (and common misspellings).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> DefaultCategories = new Dictionary<string, string[]>
    {
        ["Parkverstoß"] = ["park", "falschpark", "halteverbot", "parkverbot", "abschlepp", "zugeparkt", "gehweg blockiert"],
        ["Spielplatz"] = ["spielplatz", "spielpl", "schaukel", "rutsche", "sandkast", "wippe", "klettergerust"],
        ["Vermüllung/Verschmutzung"] = ["mull", "muell", "abfall", "dreck", "verschmutz", "sperrmull", "glascontainer", "hundekot", "wilde mullkippe"],
        ["Öffnungszeiten"] = ["offnungszeit", "oeffnungszeit", "geoffnet", "geoeffnet", "wann habt ihr", "wann hat das rathaus", "sprechzeit"],
        ["Lärmbelästigung"] = ["larm", "laerm", "zu laut", "sehr laut", "ruhestorung", "ruhestoerung", "krach", "laute musik"],
        ["Räumlichkeiten/Grillplatz"] = ["grillplatz", "grillhutte", "grillhuette", "raumlichkeit", "raume mieten", "raum mieten", "saal", "halle mieten", "reservier", "vermiet"],
        ["Erreichbarkeit von Mitarbeitenden"] = ["erreichbar", "ansprechpartner", "zustandig", "zustaendig", "durchwahl", "telefonnummer von"],
    };

    /// <summary>Danger: due now, whatever the hour.</summary>
    public static readonly string[] DefaultDangerStems =
    [
        "unfall", "feuer ", "brand ", "brennt", "rauchentwicklung", "es raucht", "qualm", "wasserrohrbruch", "rohrbruch",
        "uberschwemm", "hochwasser", "umgesturzt", "umgestuerzt", "baum liegt", "verletzt", "gasgeruch", "riecht nach gas",
        "notfall", "lebensgefahr", "gefahr ", "gefahr in verzug", "gefahrenstelle", "stromkabel", "einsturz",
    ];

    private readonly IReadOnlyList<(string Category, string[] Stems)> _categories;
    private readonly string[] _danger;

    public Triage(IReadOnlyDictionary<string, string[]>? categories = null, IEnumerable<string>? dangerStems = null)
    {
        _categories = [.. (categories ?? DefaultCategories).Select(c => (c.Key, c.Value.Select(FoldStem).ToArray()))];
        _danger = [.. (dangerStems ?? DefaultDangerStems).Select(FoldStem)];
    }

    /// <summary>The categories this triage knows, "Sonstiges" included.</summary>
    public IReadOnlyCollection<string> Categories => [.. _categories.Select(c => c.Category).Append(Other).Distinct()];

    /// <summary>Triages one text; no text (a photo, a location) is "Sonstiges", not urgent.</summary>
    public TriageResult Assess(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new TriageResult(Other, false);
        }
        var folded = " " + Fold(text) + " ";
        var urgent = _danger.Any(stem => Matches(folded, stem));
        var best = _categories
            .Select(c => (c.Category, Hits: c.Stems.Count(stem => Matches(folded, stem))))
            .Where(c => c.Hits > 0)
            .OrderByDescending(c => c.Hits)
            .Select(c => c.Category)
            .FirstOrDefault();
        return new TriageResult(best ?? Other, urgent);
    }

    // A stem matches at the start of a word, or (stems of 4+ letters) inside a compound word.
    private static bool Matches(string folded, string stem) =>
        stem.Length >= 4
            ? folded.Contains(stem, StringComparison.Ordinal)
            : folded.Contains(" " + stem, StringComparison.Ordinal);

    // A trailing space in a stem means "the word ends here" ("gefahr " is danger, "gefahren" is a verb).
    private static string FoldStem(string stem) => Fold(stem) + (stem.EndsWith(' ') ? " " : "");

    /// <summary>Lower case, ä→a… (so "Lärm" and "Larm" meet; "ae" spellings are listed as stems), ß→ss, accents dropped, punctuation as spaces.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.ToLowerInvariant().Replace("ß", "ss", StringComparison.Ordinal).Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            builder.Append(char.IsLetterOrDigit(c) ? c : ' ');
        }
        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
