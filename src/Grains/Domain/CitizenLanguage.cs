using System.Buffers;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// Guesses the language a citizen wrote in, only where that is clear: Cyrillic script is Ukrainian (or Russian when
/// it uses Russian-only letters), Latin script is German or English by their commonest words, and anything short or
/// mixed is "not clear" (null), so the German default stands. Deliberately small: a few words of a WhatsApp message
/// are too little for statistical detectors, and a wrong guess costs more than the default.
/// </summary>
public static class CitizenLanguage
{
    public const string German = "de";
    public const string English = "en";
    public const string Ukrainian = "uk";
    public const string Russian = "ru";

    private static readonly HashSet<string> GermanWords = new(StringComparer.Ordinal)
    {
        "der", "die", "das", "und", "ist", "ich", "nicht", "ein", "eine", "bitte", "danke", "hallo", "guten", "tag",
        "wir", "sie", "mit", "auf", "für", "fur", "bei", "wann", "wie", "was", "wo", "im", "am", "zu", "vom", "beim",
        "kaputt", "schon", "gibt", "haben", "hat", "mein", "meine", "uns", "auch", "noch", "oder", "liegt", "steht",
    };

    private static readonly HashSet<string> EnglishWords = new(StringComparer.Ordinal)
    {
        "the", "and", "is", "are", "i", "not", "a", "an", "please", "thanks", "thank", "hello", "hi", "we", "you",
        "with", "on", "for", "at", "when", "how", "what", "where", "in", "to", "of", "my", "our", "there", "broken",
        "can", "could", "would", "have", "has", "does", "do", "open", "need", "help", "it", "this", "that",
    };

    // Letters Ukrainian has and Russian has not, and the other way round; German letters English has not.
    private static readonly SearchValues<char> UkrainianLetters = SearchValues.Create("іїєґ");
    private static readonly SearchValues<char> RussianLetters = SearchValues.Create("ыэъё");
    private static readonly SearchValues<char> GermanLetters = SearchValues.Create("äöüß");

    /// <summary>The language of <paramref name="text"/> ("de", "en", "uk", "ru"), or null when it is not clear.</summary>
    public static string? Detect(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var lower = text.ToLowerInvariant();
        int cyrillic = 0, latin = 0;
        foreach (var c in lower)
        {
            if (c is >= 'а' and <= 'я' or 'ё' or 'і' or 'ї' or 'є' or 'ґ')
            {
                cyrillic++;
            }
            else if (c is >= 'a' and <= 'z' or 'ä' or 'ö' or 'ü' or 'ß')
            {
                latin++;
            }
        }
        if (cyrillic >= 3 && cyrillic > latin * 2)
        {
            // Ukrainian unless only Russian letters show; no distinctive letter either way counts as Ukrainian
            // (the number served refugees from Ukraine, most of whom read Ukrainian).
            return lower.AsSpan().ContainsAny(RussianLetters) && !lower.AsSpan().ContainsAny(UkrainianLetters)
                ? Russian
                : Ukrainian;
        }
        if (latin < 3)
        {
            return null;
        }
        if (lower.AsSpan().ContainsAny(GermanLetters))
        {
            return German;
        }
        var words = lower.Split([' ', ',', '.', '!', '?', ';', ':', '\n', '\r', '\t', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
        var german = words.Count(GermanWords.Contains);
        var english = words.Count(EnglishWords.Contains);
        if (english >= 2 && english > german * 2)
        {
            return English;
        }
        if (german >= 1 && german > english)
        {
            return German;
        }
        return null;
    }
}
