using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// The confirmations a citizen gets on joining or leaving a list: the list's own texts where configured, else these
/// in German, English or Ukrainian (German for any other language). <c>{list}</c> stands for the list's name.
/// </summary>
public static class ListTexts
{
    private static readonly Dictionary<string, string> Joined = new(StringComparer.Ordinal)
    {
        ["de"] = "Sie sind jetzt in der Liste „{list}“ ({town}) eingetragen. Mit STOP melden Sie sich jederzeit wieder ab.",
        ["en"] = "You have joined the list \"{list}\" of {town}. Reply STOP at any time to leave it.",
        ["uk"] = "Ви підписалися на список «{list}» ({town}). Щоб відписатися, надішліть СТОП.",
    };

    private static readonly Dictionary<string, string> Left = new(StringComparer.Ordinal)
    {
        ["de"] = "Sie erhalten keine Nachrichten der Liste „{list}“ mehr.",
        ["en"] = "You will no longer receive messages from the list \"{list}\".",
        ["uk"] = "Ви більше не отримуватимете повідомлень зі списку «{list}».",
    };

    public static string JoinedText(BroadcastListOptions list, string town, string language) =>
        Fill(list.JoinedTexts.GetValueOrDefault(language) ?? Joined.GetValueOrDefault(language) ?? Joined["de"], list, town);

    public static string LeftText(BroadcastListOptions list, string town, string language) =>
        Fill(list.LeftTexts.GetValueOrDefault(language) ?? Left.GetValueOrDefault(language) ?? Left["de"], list, town);

    private static string Fill(string text, BroadcastListOptions list, string town) =>
        text.Replace("{list}", list.Name, StringComparison.Ordinal).Replace("{town}", town, StringComparison.Ordinal);
}
