namespace GoldbachActors.Grains;

/// <summary>
/// The clock the conversation rules read (office hours, silence, snooze, rate limits): a keyed
/// <see cref="TimeProvider"/>, the system clock unless a host or test registers another. Keyed so that a test can move
/// the town's time without moving Orleans' own (membership, timers, response timeouts).
/// </summary>
public static class GoldbachClock
{
    public const string Key = "goldbach";
}
