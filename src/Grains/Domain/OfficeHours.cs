using System.Globalization;
using GoldbachActors.Contracts;
using PublicHoliday;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// When the town hall is open: a weekly schedule of periods in local time (Europe/Berlin), closed on the public
/// holidays of Bavaria and on extra closing days. Pure: time zone and clock come from outside, so daylight-saving
/// changes and holidays are tested without waiting for them.
/// </summary>
public sealed class OfficeHours
{
    private readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeOnly From, TimeOnly To)>> _week;
    private readonly HashSet<DateOnly> _closedDays;
    private readonly TimeZoneInfo _zone;
    private readonly GermanPublicHoliday _holidays = new() { State = GermanPublicHoliday.States.BY };

    public OfficeHours(IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeOnly From, TimeOnly To)>> week, IEnumerable<DateOnly> closedDays, TimeZoneInfo zone)
    {
        _week = week ?? throw new ArgumentNullException(nameof(week));
        _closedDays = [.. closedDays ?? []];
        _zone = zone ?? throw new ArgumentNullException(nameof(zone));
    }

    /// <summary>The time zone of the town hall.</summary>
    public static TimeZoneInfo Berlin => TownTime.Zone;

    /// <summary>
    /// Parses a week from configuration: day name → <c>"08:00-12:00, 14:00-18:00"</c> (empty or missing: closed).
    /// </summary>
    /// <exception cref="FormatException">A period is not <c>HH:mm-HH:mm</c> with the start before the end.</exception>
    public static IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeOnly From, TimeOnly To)>> ParseWeek(IReadOnlyDictionary<string, string> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var week = new Dictionary<DayOfWeek, IReadOnlyList<(TimeOnly, TimeOnly)>>();
        foreach (var (name, periods) in days)
        {
            if (!Enum.TryParse<DayOfWeek>(name, ignoreCase: true, out var day))
            {
                throw new FormatException($"'{name}' is not a day of the week (Monday … Sunday).");
            }
            var list = new List<(TimeOnly, TimeOnly)>();
            foreach (var period in (periods ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = period.Split('-', StringSplitOptions.TrimEntries);
                if (parts.Length != 2
                    || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                    || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
                    || from >= to)
                {
                    throw new FormatException($"{name}: '{period}' is not a period like 08:00-12:00.");
                }
                list.Add((from, to));
            }
            week[day] = [.. list.OrderBy(p => p.Item1)];
        }
        return week;
    }

    /// <summary>True on a day that is no Bavarian public holiday, no extra closing day and has office periods.</summary>
    public bool IsWorkingDay(DateOnly day) =>
        !_closedDays.Contains(day)
        && !_holidays.IsPublicHoliday(day.ToDateTime(TimeOnly.MinValue))
        && _week.TryGetValue(day.DayOfWeek, out var periods) && periods.Count > 0;

    /// <summary>Whether the town hall is open at this instant.</summary>
    public bool IsOpenAt(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return IsWorkingDay(day) && _week[day.DayOfWeek].Any(p => time >= p.From && time < p.To);
    }

    /// <summary>The next moment the town hall opens after <paramref name="instant"/> (local time), or null if never.</summary>
    public DateTimeOffset? NextOpeningAfter(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        for (var i = 0; i < 370; i++, day = day.AddDays(1), time = TimeOnly.MinValue)
        {
            if (!IsWorkingDay(day))
            {
                continue;
            }
            foreach (var (from, _) in _week[day.DayOfWeek])
            {
                if (i > 0 || from > time)
                {
                    var opening = day.ToDateTime(from);
                    return new DateTimeOffset(opening, _zone.GetUtcOffset(opening));
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The close of the <paramref name="workingDays"/>-th working day after the one <paramref name="instant"/> falls on
    /// (0: the close of that day, or of the next working day if it is none), or null if the week has no office hours.
    /// </summary>
    public DateTimeOffset? CloseOfWorkingDay(DateTimeOffset instant, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);
        var counted = IsWorkingDay(day) ? 0 : -1;
        for (var i = 0; i < 370 + (workingDays * 2); i++)
        {
            if (counted >= workingDays && IsWorkingDay(day))
            {
                return Instant(day, _week[day.DayOfWeek].Max(p => p.To));
            }
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }
        return null;
    }

    /// <summary>How much of the time from <paramref name="from"/> to <paramref name="to"/> fell in office hours.</summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            return TimeSpan.Zero;
        }
        var total = TimeSpan.Zero;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, _zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, _zone).DateTime);
        for (; day <= last; day = day.AddDays(1))
        {
            if (!IsWorkingDay(day))
            {
                continue;
            }
            foreach (var (start, end) in _week[day.DayOfWeek])
            {
                var periodStart = Instant(day, start);
                var periodEnd = Instant(day, end);
                var overlap = (periodEnd < to ? periodEnd : to) - (periodStart > from ? periodStart : from);
                if (overlap > TimeSpan.Zero)
                {
                    total += overlap;
                }
            }
        }
        return total;
    }

    private DateTimeOffset Instant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local));
    }
}
