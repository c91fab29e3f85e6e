namespace GoldbachActors.Grains.Domain;

/// <summary>
/// Meta's messaging limit: at most <see cref="Limit"/> unique recipients outside their 24-hour window in any moving
/// 24 hours (tiers 250, 2,000, 10,000, 100,000; null: unlimited). Records whom the business number reached that way
/// and when, and answers when the next new recipient may be reached. A recipient reached again within 24 hours
/// costs nothing.
/// </summary>
public sealed class MessagingLimitWindow(int? limit)
{
    public static readonly TimeSpan Period = TimeSpan.FromHours(24);

    // The last time each recipient was reached outside the window, within the period.
    private readonly Dictionary<string, DateTimeOffset> _reached = new(StringComparer.Ordinal);

    // Recipients that left the period since the last TakeExpired (their stored record can go).
    private readonly List<string> _expired = [];

    public int? Limit { get; } = limit is null or > 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), "A messaging limit is positive (or null: unlimited).");

    /// <summary>Recipients reached within the period ending at <paramref name="now"/>.</summary>
    public int Used(DateTimeOffset now)
    {
        Expire(now);
        return _reached.Count;
    }

    /// <summary>
    /// Takes a place for <paramref name="recipient"/> at <paramref name="now"/> if the limit allows; otherwise returns
    /// the time from which it will (when the oldest recipient leaves the period).
    /// </summary>
    public DateTimeOffset? TryReach(string recipient, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        Expire(now);
        if (_reached.ContainsKey(recipient) || Limit is null || _reached.Count < Limit)
        {
            _reached[recipient] = _reached.TryGetValue(recipient, out var earlier) ? earlier : now;
            return null;
        }
        return _reached.Values.Min() + Period;
    }

    /// <summary>
    /// A conservative forecast for staff: how many of <paramref name="recipients"/> new recipients go now, and how many
    /// on each following day (a whole limit every 24 hours).
    /// </summary>
    public IReadOnlyList<(DateTimeOffset From, int Count)> Plan(int recipients, DateTimeOffset now)
    {
        Expire(now);
        if (recipients <= 0)
        {
            return [];
        }
        if (Limit is not { } limit)
        {
            return [(now, recipients)];
        }
        var plan = new List<(DateTimeOffset, int)>();
        var left = recipients;
        var first = Math.Min(Math.Max(0, limit - _reached.Count), left);
        if (first > 0)
        {
            plan.Add((now, first));
            left -= first;
        }
        for (var day = 1; left > 0; day++)
        {
            var count = Math.Min(limit, left);
            plan.Add((now + (day * Period), count));
            left -= count;
        }
        return plan;
    }

    /// <summary>Restores a recipient reached at <paramref name="at"/> (from storage).</summary>
    public void Restore(string recipient, DateTimeOffset at) => _reached[recipient] = at;

    /// <summary>Forgets <paramref name="recipient"/> (an erased citizen; a stand-in keeps their place).</summary>
    public void Forget(string recipient) => _reached.Remove(recipient);

    /// <summary>When <paramref name="recipient"/> was reached within the period, if they were.</summary>
    public DateTimeOffset? ReachedAt(string recipient) => _reached.TryGetValue(recipient, out var at) ? at : null;

    /// <summary>How many recipients are on record (reached within the period, or expired and not yet taken).</summary>
    public int Count => _reached.Count + _expired.Count;

    /// <summary>The recipients that left the period since the last call.</summary>
    public IReadOnlyList<string> TakeExpired(DateTimeOffset now)
    {
        Expire(now);
        var expired = _expired.ToList();
        _expired.Clear();
        return expired;
    }

    private void Expire(DateTimeOffset now)
    {
        foreach (var (recipient, at) in _reached.ToList())
        {
            if (now - at >= Period)
            {
                _reached.Remove(recipient);
                _expired.Add(recipient);
            }
        }
    }
}
