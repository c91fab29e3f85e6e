using System.Buffers.Text;
using System.Globalization;
using System.Text;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Inbox;

/// <summary>The inbox order: most recently active first, then by citizen key so that the order is total.</summary>
internal sealed class InboxOrder : IComparer<ConversationSummary>
{
    public static readonly InboxOrder Instance = new();

    public int Compare(ConversationSummary? x, ConversationSummary? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null)
        {
            return -1;
        }
        if (y is null)
        {
            return 1;
        }
        var byTime = y.LastMessageAt.CompareTo(x.LastMessageAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.CitizenKey, y.CitizenKey);
    }
}

/// <summary>
/// A page token names the last conversation of the previous page by its position in <see cref="InboxOrder"/>, so
/// that pages stay consistent while new messages arrive. Opaque to clients (base64url).
/// </summary>
internal static class InboxPageToken
{
    public static string Format(ConversationSummary last)
    {
        var raw = string.Create(CultureInfo.InvariantCulture, $"{last.LastMessageAt.UtcTicks}|{last.CitizenKey}");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(raw));
    }

    public static ConversationSummary Parse(string token)
    {
        try
        {
            var raw = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var separator = raw.IndexOf('|', StringComparison.Ordinal);
            var ticks = long.Parse(raw.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture);
            var key = CitizenKey.ParseGrainKey(raw[(separator + 1)..]);
            return new ConversationSummary
            {
                CitizenKey = key.GrainKey,
                LastMessageAt = new DateTimeOffset(ticks, TimeSpan.Zero),
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException("The page token is not one this inbox issued.", nameof(token), ex);
        }
    }
}
