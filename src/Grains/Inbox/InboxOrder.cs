using System.Buffers.Text;
using System.Globalization;
using System.Text;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// The inbox order as of a time: urgent conversations first (the longest due first), then overdue ones (due before
/// that time and still the town's move: new or open; the longest overdue first), then the most recently active; the
/// citizen key makes the order total.
/// </summary>
internal static class InboxOrder
{
    /// <summary>Where a conversation stands in the order as of <paramref name="asOf"/>.</summary>
    public static InboxPosition PositionOf(ConversationSummary summary, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Urgent)
        {
            return new InboxPosition(0, summary.DueAt?.UtcTicks ?? long.MinValue, summary.CitizenKey);
        }
        if (summary.DueAt is { } due && due < asOf && summary.Status is ConversationStatus.New or ConversationStatus.Open)
        {
            return new InboxPosition(1, due.UtcTicks, summary.CitizenKey);
        }
        return new InboxPosition(2, -summary.LastMessageAt.UtcTicks, summary.CitizenKey);
    }
}

/// <summary>A conversation's place in <see cref="InboxOrder"/>: rank, then time, then key (all ascending).</summary>
internal readonly record struct InboxPosition(int Rank, long Time, string Key) : IComparable<InboxPosition>
{
    public int CompareTo(InboxPosition other)
    {
        var byRank = Rank.CompareTo(other.Rank);
        if (byRank != 0)
        {
            return byRank;
        }
        var byTime = Time.CompareTo(other.Time);
        return byTime != 0 ? byTime : string.CompareOrdinal(Key, other.Key);
    }
}

/// <summary>
/// A page token names the order's time and the last conversation of the previous page by its position, so that
/// pages stay consistent while new messages arrive and time passes. Opaque to clients (base64url).
/// </summary>
internal static class InboxPageToken
{
    public static string Format(DateTimeOffset asOf, InboxPosition last)
    {
        var raw = string.Create(CultureInfo.InvariantCulture, $"{asOf.UtcTicks}|{last.Rank}|{last.Time}|{last.Key}");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(raw));
    }

    public static (DateTimeOffset AsOf, InboxPosition After) Parse(string token)
    {
        try
        {
            var raw = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var parts = raw.Split('|', 4);
            if (parts.Length != 4 || parts[1] is not ("0" or "1" or "2"))
            {
                throw new FormatException("Not an inbox page token.");
            }
            var asOf = new DateTimeOffset(long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);
            var time = long.Parse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            var key = CitizenKey.ParseGrainKey(parts[3]).GrainKey;
            return (asOf, new InboxPosition(int.Parse(parts[1], CultureInfo.InvariantCulture), time, key));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException("The page token is not one this inbox issued.", nameof(token), ex);
        }
    }
}
