using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

/// <summary>The town hall's week as the domain tests assume it, with the closing days of two Christmases.</summary>
internal static class TownCalendar
{
    public static readonly OfficeHours Goldbach = new(
        OfficeHours.ParseWeek(new Dictionary<string, string>
        {
            ["Monday"] = "08:00-12:00",
            ["Tuesday"] = "08:00-12:00",
            ["Wednesday"] = "08:00-12:00",
            ["Thursday"] = "08:00-12:00, 14:00-18:00",
            ["Friday"] = "08:00-12:00",
        }),
        [new DateOnly(2025, 12, 24), new DateOnly(2025, 12, 31), new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 31)],
        OfficeHours.Berlin);

    /// <summary>A wall-clock time in the town.</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, 0);
        return new DateTimeOffset(local, OfficeHours.Berlin.GetUtcOffset(local));
    }
}
