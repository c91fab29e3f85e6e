namespace GoldbachActors.Contracts;

/// <summary>
/// The tenants' local time. Every tenant is a Bavarian town: office hours, due dates, the acknowledgement's "ab 8:00
/// Uhr" and every time staff read are in Europe/Berlin, whatever zone the machine runs in.
/// </summary>
public static class TownTime
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>The instant in the town's time.</summary>
    public static DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>The zone's German abbreviation at that instant: MEZ in winter, MESZ in summer.</summary>
    public static string ZoneName(DateTimeOffset at) => Zone.IsDaylightSavingTime(at) ? "MESZ" : "MEZ";
}
