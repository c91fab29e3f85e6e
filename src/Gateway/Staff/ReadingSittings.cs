using System.Collections.Concurrent;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// A staff member's reading of one thing (a conversation, a media file) is audited once per sitting, not once per
/// request: the web inbox polls an open conversation every few seconds while a reply is not yet read, and a video plays
/// in many range requests. A sitting lasts while the reads come less than <see cref="Pause"/> apart, and at most
/// <see cref="Longest"/>; then the next read is recorded again. Kept per gateway (in memory): with several gateways a
/// sitting may be recorded once by each. Changes are always recorded, each one.
/// </summary>
public sealed class ReadingSittings(TimeProvider time)
{
    public static readonly TimeSpan Pause = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan Longest = TimeSpan.FromHours(8);
    private const int MaxTracked = 20_000;
    private readonly ConcurrentDictionary<(string Tenant, string StaffId, string Action, string Subject), (DateTimeOffset Began, DateTimeOffset Last)> _sittings = new();

    /// <summary>True when this read continues a sitting that was recorded (and extends it); false when it must be recorded.</summary>
    public bool Continues(string tenant, string staffId, string action, string subject)
    {
        var now = time.GetUtcNow();
        var key = (tenant, staffId, action, subject);
        if (_sittings.TryGetValue(key, out var sitting) && now - sitting.Last < Pause && now - sitting.Began < Longest)
        {
            _sittings[key] = (sitting.Began, now);
            return true;
        }
        return false;
    }

    /// <summary>Begins a sitting once its first read is recorded.</summary>
    public void Began(string tenant, string staffId, string action, string subject)
    {
        var now = time.GetUtcNow();
        if (_sittings.Count >= MaxTracked)
        {
            foreach (var (key, sitting) in _sittings)
            {
                if (now - sitting.Last >= Pause || now - sitting.Began >= Longest)
                {
                    _sittings.TryRemove(key, out _);
                }
            }
            if (_sittings.Count >= MaxTracked)
            {
                // More sittings at once than any town has staff for: record every read rather than grow.
                return;
            }
        }
        _sittings[(tenant, staffId, action, subject)] = (now, now);
    }
}
