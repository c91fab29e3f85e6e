using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Duty;

/// <summary>
/// A tenant's duty service as stored: the rota, the staff it knows (with their devices, pause and duty number) and
/// the open alerts. Bounded: a town's staff, at most <see cref="DutyGrain.MaxDevicesPerStaff"/> devices each, and
/// alerts only until their conversation is opened (or a day for those that never escalate).
/// </summary>
[GenerateSerializer, Alias("goldbach.DutyState")]
public sealed class DutyState
{
    [Id(0)] public List<RotaShift> Shifts { get; set; } = [];

    [Id(1)] public long RotaVersion { get; set; }

    [Id(2)] public Dictionary<string, DutyStaffState> Staff { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The open alerts by citizen grain key.</summary>
    [Id(3)] public Dictionary<string, DutyAlert> Alerts { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One staff member's notification settings.</summary>
[GenerateSerializer, Alias("goldbach.DutyStaffState")]
public sealed class DutyStaffState
{
    [Id(0)] public required StaffMember Member { get; set; }

    [Id(1)] public bool Paused { get; set; }

    /// <summary>Their own number (one of the tenant's staff numbers) for the WhatsApp notice.</summary>
    [Id(2)] public string? DutyNumber { get; set; }

    [Id(3)] public List<PushDeviceState> Devices { get; set; } = [];
}

/// <summary>One device's push subscription.</summary>
[GenerateSerializer, Alias("goldbach.PushDeviceState")]
public sealed class PushDeviceState
{
    [Id(0)] public required PushDeviceRegistration Subscription { get; set; }

    [Id(1)] public DateTimeOffset RegisteredAt { get; set; }

    [Id(2)] public DateTimeOffset? LastDeliveredAt { get; set; }
}
