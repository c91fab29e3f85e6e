using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>A staff member as the duty rules see them: who, which role, and whether they paused notifications.</summary>
public sealed record DutyStaff(string StaffId, string Role, bool Paused)
{
    public bool IsSupervisor => new StaffActor(StaffId, Role).IsSupervisor;
}

/// <summary>Whom one step of an alert rings. <see cref="Unstaffed"/>: nobody on duty could be reached (operators are alerted).</summary>
public sealed record DutyRing(ImmutableArray<string> Staff, bool Unstaffed)
{
    public static DutyRing Nobody { get; } = new([], false);
}

/// <summary>
/// Who the duty phone rings, and when: the rota says who is on duty on a day (for every hour the town hall is
/// closed); an urgent conversation rings the one on duty at once (and the office in hours), again after
/// <see cref="DutyOptions.EscalateAfter"/>, then the next on the rota, then the supervisors. A new conversation rings
/// the one on duty outside office hours only. Paused staff are never rung. Pure: the duty grain applies it.
/// </summary>
public sealed class DutyRules(OfficeHours? calendar, DutyOptions options)
{
    /// <summary>The steps of an urgent alert: first ring, ring again, next on the rota, supervisors.</summary>
    public const int LastStep = 3;

    public TimeSpan EscalateAfter => options.EscalateAfter;

    /// <summary>Whether the office is staffed at this instant (no office hours configured: never).</summary>
    public bool IsOfficeOpen(DateTimeOffset at) => calendar?.IsOpenAt(at) == true;

    /// <summary>The staff of the shift that covers this instant's day in the town's time, in rota order.</summary>
    public static ImmutableArray<string> OnDuty(IEnumerable<RotaShift> shifts, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        var day = DateOnly.FromDateTime(TownTime.Local(at).DateTime);
        return shifts.FirstOrDefault(s => s.From <= day && day <= s.To)?.Staff ?? [];
    }

    /// <summary>Whom step <paramref name="step"/> of an alert rings (step 0 is the first notification).</summary>
    public DutyRing Ring(bool urgent, int step, DateTimeOffset at, ImmutableArray<string> onDuty, IReadOnlyCollection<DutyStaff> staff)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var active = staff.Where(s => !s.Paused).ToDictionary(s => s.StaffId, StringComparer.Ordinal);
        var rota = onDuty.Where(active.ContainsKey).ToImmutableArray();
        var open = IsOfficeOpen(at);
        switch (step)
        {
            case 0 when urgent:
                var office = open ? active.Keys.Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
                var first = rota.IsEmpty ? [] : ImmutableArray.Create(rota[0]);
                var everyone = first.Concat(office).Distinct(StringComparer.Ordinal).ToImmutableArray();
                return everyone.IsEmpty ? Supervisors(active.Values, unstaffed: true) : new DutyRing(everyone, false);
            case 0 when open:
                return options.NotifyNewConversationsInOfficeHours
                    ? new DutyRing([.. active.Keys.Order(StringComparer.Ordinal)], false)
                    : DutyRing.Nobody;
            case 0:
            case 1 when urgent:
                return rota.IsEmpty ? Supervisors(active.Values, unstaffed: true) : new DutyRing([rota[0]], false);
            case 2 when urgent && rota.Length > 1:
                return new DutyRing([rota[1]], false);
            case 2 when urgent:
            case 3 when urgent:
                return Supervisors(active.Values, unstaffed: false);
            default:
                return DutyRing.Nobody;
        }
    }

    /// <summary>When the step after <paramref name="step"/> is due, or null when the alert has no further step.</summary>
    public DateTimeOffset? NextStepAt(bool urgent, int step, DateTimeOffset rungAt) =>
        urgent && step < LastStep ? rungAt + options.EscalateAfter : null;

    // Nobody on duty (unstaffed): the supervisors stand in, and operators are told; no supervisor either is unstaffed too.
    private static DutyRing Supervisors(IEnumerable<DutyStaff> active, bool unstaffed)
    {
        var supervisors = active.Where(s => s.IsSupervisor).Select(s => s.StaffId).Order(StringComparer.Ordinal).ToImmutableArray();
        return new DutyRing(supervisors, unstaffed || supervisors.IsEmpty);
    }
}
