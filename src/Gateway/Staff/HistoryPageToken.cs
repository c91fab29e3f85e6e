namespace GoldbachActors.Gateway.Staff;

/// <summary>The page token of a conversation's history: "history/{page}", the next older archived page.</summary>
internal static class HistoryPageToken
{
    private const string Prefix = "history/";

    public static string Format(int page) => Prefix + page.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string token, out int page)
    {
        page = 0;
        return token.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(token.AsSpan(Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out page)
            && page >= 1;
    }
}
