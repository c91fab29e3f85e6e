using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Grains.Duty;

/// <summary>The staff's side of the duty service: their devices, pause and duty number, and the rota supervisors edit.</summary>
public sealed partial class DutyGrain
{
    private const int MaxShifts = 500;

    public async Task<StaffNotificationSettings> GetSettingsAsync(StaffMember staff)
    {
        var member = await KnowAsync(staff);
        return SettingsOf(member);
    }

    public async Task<StaffNotificationSettings> RegisterDeviceAsync(StaffMember staff, PushDeviceRegistration device)
    {
        PushSubscriptionRules.Validate(device, pushOptions.Value.AllowLoopbackHttp);
        var member = await KnowAsync(staff);
        // One browser, one owner: a duty phone handed over rings its new holder only.
        foreach (var other in State.Staff.Values)
        {
            other.Devices.RemoveAll(d => d.Subscription.Endpoint == device.Endpoint || (other == member && d.Subscription.DeviceId == device.DeviceId));
        }
        member.Devices.Add(new PushDeviceState { Subscription = device, RegisteredAt = time.GetUtcNow() });
        if (member.Devices.Count > MaxDevicesPerStaff)
        {
            member.Devices.RemoveAt(0);
        }
        await state.WriteStateAsync();
        return SettingsOf(member);
    }

    public async Task<StaffNotificationSettings> RemoveDeviceAsync(StaffMember staff, string deviceId)
    {
        var member = await KnowAsync(staff);
        if (member.Devices.RemoveAll(d => d.Subscription.DeviceId == deviceId) > 0)
        {
            await state.WriteStateAsync();
        }
        return SettingsOf(member);
    }

    public async Task<StaffNotificationSettings> UpdatePreferencesAsync(StaffMember staff, bool paused, string? dutyNumber)
    {
        var number = string.IsNullOrWhiteSpace(dutyNumber) ? null : dutyNumber.Trim();
        if (number is not null && policies.Find(Tenant)?.IsStaffNumber(number) != true)
        {
            throw new ArgumentException("Diese Nummer ist keine der Dienstnummern der Gemeinde (Einstellungen: Dienstnummern).", nameof(dutyNumber));
        }
        var member = await KnowAsync(staff);
        member.Paused = paused;
        member.DutyNumber = number is null ? null : StaffIdentities.Normalize(number);
        await state.WriteStateAsync();
        return SettingsOf(member);
    }

    public Task<DutyRota> GetRotaAsync(DateTimeOffset at) => Task.FromResult(RotaAt(at));

    public async Task<DutyRota> UpdateRotaAsync(StaffActor by, ImmutableArray<RotaShift> shifts, long expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (!by.IsSupervisor)
        {
            throw new UnauthorizedAccessException("Den Bereitschaftsplan ändern nur Vorgesetzte.");
        }
        if (expectedVersion != State.RotaVersion)
        {
            throw new InvalidOperationException("Der Bereitschaftsplan wurde inzwischen geändert. Bitte neu laden und erneut bearbeiten.");
        }
        ValidateRota(shifts);
        State.Shifts = [.. shifts.OrderBy(s => s.From)];
        State.RotaVersion++;
        await state.WriteStateAsync();
        LogRotaChanged(Tenant, State.RotaVersion, shifts.Length);
        return RotaAt(time.GetUtcNow());
    }

    private void ValidateRota(ImmutableArray<RotaShift> shifts)
    {
        if (shifts.Length > MaxShifts)
        {
            throw new ArgumentException($"Höchstens {MaxShifts} Einträge im Bereitschaftsplan.", nameof(shifts));
        }
        foreach (var shift in shifts)
        {
            if (shift.To < shift.From)
            {
                throw new ArgumentException($"Der Eintrag ab {shift.From:dd.MM.yyyy} endet vor seinem Beginn.", nameof(shifts));
            }
            if (shift.Staff.IsDefaultOrEmpty)
            {
                throw new ArgumentException($"Der Eintrag ab {shift.From:dd.MM.yyyy} nennt niemanden.", nameof(shifts));
            }
            if (shift.Staff.FirstOrDefault(id => !State.Staff.ContainsKey(id)) is { } unknown)
            {
                throw new ArgumentException(
                    $"„{unknown}“ ist hier nicht bekannt: eine Mitarbeiterin oder ein Mitarbeiter muss sich einmal im Posteingang angemeldet haben.", nameof(shifts));
            }
            if (shift.Staff.Distinct(StringComparer.Ordinal).Count() != shift.Staff.Length)
            {
                throw new ArgumentException($"Der Eintrag ab {shift.From:dd.MM.yyyy} nennt jemanden zweimal.", nameof(shifts));
            }
        }
        var ordered = shifts.OrderBy(s => s.From).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].From <= ordered[i - 1].To)
            {
                throw new ArgumentException($"Die Einträge ab {ordered[i - 1].From:dd.MM.yyyy} und ab {ordered[i].From:dd.MM.yyyy} überschneiden sich.", nameof(shifts));
            }
        }
    }

    private DutyRota RotaAt(DateTimeOffset at) => new(
        [.. State.Shifts],
        State.RotaVersion,
        [.. State.Staff.Values.Select(s => s.Member).OrderBy(m => m.DisplayName ?? m.StaffId, StringComparer.CurrentCulture)],
        DutyRules.OnDuty(State.Shifts, at),
        policies.Find(Tenant)?.Duty.IsOfficeOpen(at) == true);

    // The staff member as their token names them now; written when new or changed (role, display name).
    private async Task<DutyStaffState> KnowAsync(StaffMember staff)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (State.Staff.TryGetValue(staff.StaffId, out var known))
        {
            if (known.Member != staff)
            {
                known.Member = staff;
                await state.WriteStateAsync();
            }
            return known;
        }
        var added = new DutyStaffState { Member = staff };
        State.Staff[staff.StaffId] = added;
        await state.WriteStateAsync();
        return added;
    }

    private StaffNotificationSettings SettingsOf(DutyStaffState member) => new(
        member.Member.StaffId,
        member.Paused,
        member.DutyNumber,
        [.. member.Devices.Select(d => new PushDeviceInfo(d.Subscription.DeviceId, d.Subscription.Label,
            PushSubscriptionRules.HostOf(d.Subscription.Endpoint), d.RegisteredAt, d.LastDeliveredAt))],
        push.PublicKey,
        DutyRules.OnDuty(State.Shifts, time.GetUtcNow()).Contains(member.Member.StaffId));

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "The duty rota of tenant {Tenant} is now version {Version} ({Shifts} shifts)")]
    private partial void LogRotaChanged(string tenant, long version, int shifts);
}
