using System.Buffers.Text;
using System.Globalization;
using System.Text;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// The inbox order: urgent conversations first (the longest due first), then the most recently active; the citizen
/// key makes the order total.
/// </summary>
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
        if (x.Urgent != y.Urgent)
        {
            return x.Urgent ? -1 : 1;
        }
        var byTime = x.Urgent
            ? Nullable.Compare(x.DueAt, y.DueAt)
            : y.LastMessageAt.CompareTo(x.LastMessageAt);
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
        var raw = string.Create(CultureInfo.InvariantCulture,
            $"{(last.Urgent ? 1 : 0)}|{last.DueAt?.UtcTicks ?? -1}|{last.LastMessageAt.UtcTicks}|{last.CitizenKey}");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(raw));
    }

    public static ConversationSummary Parse(string token)
    {
        try
        {
            var raw = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var parts = raw.Split('|', 4);
            if (parts.Length != 4 || parts[0] is not ("0" or "1"))
            {
                throw new FormatException("Not an inbox page token.");
            }
            var due = long.Parse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            var ticks = long.Parse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture);
            return new ConversationSummary
            {
                CitizenKey = CitizenKey.ParseGrainKey(parts[3]).GrainKey,
                Urgent = parts[0] == "1",
                DueAt = due < 0 ? null : new DateTimeOffset(due, TimeSpan.Zero),
                LastMessageAt = new DateTimeOffset(ticks, TimeSpan.Zero),
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException("The page token is not one this inbox issued.", nameof(token), ex);
        }
    }
}
