using System.Collections.Immutable;

namespace GoldbachActors.Contracts;

/// <summary>
/// A tenant's duty service ("Bereitschaft"): the on-duty rota, every staff member's push devices and pause, and the
/// open alerts that ring the duty phone until somebody opens the conversation. Keyed by the tenant's
/// <c>phone_number_id</c>.
/// </summary>
[Alias("goldbach.IDutyGrain")]
public interface IDutyGrain : IGrainWithStringKey
{
    /// <summary>What happened in the inbox that may ring somebody (sent by the tenant's inbox once it is durable).</summary>
    [Alias("Signal"), Orleans.Concurrency.OneWay]
    Task SignalAsync(DutySignal signal);

    /// <summary>A staff member opened the conversation: its alert stops ringing and escalating.</summary>
    [Alias("Opened"), Orleans.Concurrency.OneWay]
    Task OpenedAsync(string citizenKey, string staffId);

    /// <summary>The caller's notification settings; the first call makes them known to the rota editor.</summary>
    [Alias("GetSettings")]
    Task<StaffNotificationSettings> GetSettingsAsync(StaffMember staff);

    /// <summary>Adds a device's push subscription, or renews it (same device id, new endpoint or keys).</summary>
    /// <exception cref="ArgumentException">The subscription is malformed (not https, bad keys).</exception>
    [Alias("RegisterDevice")]
    Task<StaffNotificationSettings> RegisterDeviceAsync(StaffMember staff, PushDeviceRegistration device);

    /// <summary>Forgets one of the caller's devices.</summary>
    [Alias("RemoveDevice")]
    Task<StaffNotificationSettings> RemoveDeviceAsync(StaffMember staff, string deviceId);

    /// <summary>Pauses (or resumes) every notification to the caller, and sets their own duty number for the fallback.</summary>
    /// <exception cref="ArgumentException">The number is not one of the tenant's staff numbers.</exception>
    [Alias("UpdatePreferences")]
    Task<StaffNotificationSettings> UpdatePreferencesAsync(StaffMember staff, bool paused, string? dutyNumber);

    /// <summary>The rota, the staff it can name, and who is on duty at <paramref name="at"/>.</summary>
    [Alias("GetRota")]
    Task<DutyRota> GetRotaAsync(DateTimeOffset at);

    /// <summary>Replaces the rota (supervisors only), if nobody changed it since <paramref name="expectedVersion"/>.</summary>
    /// <exception cref="UnauthorizedAccessException">The caller is no supervisor.</exception>
    /// <exception cref="InvalidOperationException">The rota changed meanwhile (a conflict: reload, then edit).</exception>
    /// <exception cref="ArgumentException">A shift is invalid (dates reversed, unknown staff, overlaps).</exception>
    [Alias("UpdateRota")]
    Task<DutyRota> UpdateRotaAsync(StaffActor by, ImmutableArray<RotaShift> shifts, long expectedVersion);

    /// <summary>The conversation an alert (a notification's link) is about, or null when it is unknown or gone.</summary>
    [Alias("FindAlert")]
    Task<string?> FindAlertAsync(string alertId);

    /// <summary>The open alerts, oldest first (for operators and tests; no personal data beyond the grain key).</summary>
    [Alias("GetAlerts")]
    Task<ImmutableArray<DutyAlert>> GetAlertsAsync();
}

/// <summary>What may ring somebody.</summary>
public enum DutySignalKind
{
    /// <summary>A citizen started a conversation.</summary>
    NewConversation = 0,

    /// <summary>Triage found danger ("Gefahr in Verzug").</summary>
    Urgent = 1,
}

/// <summary>One inbox change the duty service looks at; the category is the town's own list, never the text.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.DutySignal")]
public sealed record DutySignal(
    [property: Id(0)] string CitizenKey,
    [property: Id(1)] DutySignalKind Kind,
    [property: Id(2)] string? Category,
    [property: Id(3)] DateTimeOffset At);

/// <summary>A staff member as their token names them (id, display name, role).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.StaffMember")]
public sealed record StaffMember(
    [property: Id(0)] string StaffId,
    [property: Id(1)] string? DisplayName,
    [property: Id(2)] string Role)
{
    public StaffActor Actor => new(StaffId, Role);
}

/// <summary>A browser's push subscription (W3C Push API) for one of the staff member's devices.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.PushDeviceRegistration")]
public sealed record PushDeviceRegistration(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string Endpoint,
    [property: Id(2)] string P256dh,
    [property: Id(3)] string Auth,
    [property: Id(4)] string? Label);

/// <summary>One registered device as staff see it (never its keys).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.PushDeviceInfo")]
public sealed record PushDeviceInfo(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string? Label,
    [property: Id(2)] string PushServiceHost,
    [property: Id(3)] DateTimeOffset RegisteredAt,
    [property: Id(4)] DateTimeOffset? LastDeliveredAt);

/// <summary>A staff member's notification settings, and what the browser needs to subscribe.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.StaffNotificationSettings")]
public sealed record StaffNotificationSettings(
    [property: Id(0)] string StaffId,
    [property: Id(1)] bool Paused,
    [property: Id(2)] string? DutyNumber,
    [property: Id(3)] ImmutableArray<PushDeviceInfo> Devices,
    [property: Id(4)] string? VapidPublicKey,
    [property: Id(5)] bool OnDutyNow);

/// <summary>
/// Days (in the town's time, both inclusive) on which the listed staff cover every hour the town hall is closed:
/// weekday evenings and nights, weekends, public holidays and closing days. The first is on duty; the others are
/// asked next, in order, when an urgent conversation stays unopened.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.RotaShift")]
public sealed record RotaShift(
    [property: Id(0)] DateOnly From,
    [property: Id(1)] DateOnly To,
    [property: Id(2)] ImmutableArray<string> Staff);

/// <summary>The rota with its version (for optimistic concurrency), the staff it may name, and who is on duty now.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.DutyRota")]
public sealed record DutyRota(
    [property: Id(0)] ImmutableArray<RotaShift> Shifts,
    [property: Id(1)] long Version,
    [property: Id(2)] ImmutableArray<StaffMember> Staff,
    [property: Id(3)] ImmutableArray<string> OnDuty,
    [property: Id(4)] bool OfficeOpen);

/// <summary>An open alert: a conversation that rang somebody and was not opened yet.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.DutyAlert")]
public sealed record DutyAlert(
    [property: Id(0)] string Id,
    [property: Id(1)] string CitizenKey,
    [property: Id(2)] bool Urgent,
    [property: Id(3)] string? Category,
    [property: Id(4)] DateTimeOffset RaisedAt,
    [property: Id(5)] int Step,
    [property: Id(6)] DateTimeOffset? NextStepAt,
    [property: Id(7)] ImmutableArray<string> Rung,
    [property: Id(8)] bool FallbackSent);
