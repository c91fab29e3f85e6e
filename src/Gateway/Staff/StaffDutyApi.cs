using System.Collections.Immutable;
using System.Globalization;
using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>The duty service's staff calls: a staff member's devices and pause, the rota, and a notification's link.</summary>
public sealed partial class StaffApiService
{
    public override async Task<NotificationSettings> GetNotificationSettings(GetNotificationSettingsRequest request, ServerCallContext context)
    {
        var (duty, member) = Duty(context);
        return ToProto(await duty.GetSettingsAsync(member));
    }

    public override async Task<NotificationSettings> RegisterPushDevice(RegisterPushDeviceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (duty, member) = Duty(context);
        return ToProto(await duty.RegisterDeviceAsync(member, new Domain.PushDeviceRegistration(
            request.DeviceId, request.Endpoint, request.P256Dh, request.Auth, string.IsNullOrWhiteSpace(request.Label) ? null : request.Label.Trim())));
    }

    public override async Task<NotificationSettings> RemovePushDevice(RemovePushDeviceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (duty, member) = Duty(context);
        return ToProto(await duty.RemoveDeviceAsync(member, request.DeviceId));
    }

    public override async Task<NotificationSettings> UpdateNotificationPreferences(UpdateNotificationPreferencesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (duty, member) = Duty(context);
        return ToProto(await duty.UpdatePreferencesAsync(member, request.Paused, request.DutyNumber));
    }

    public override async Task<DutyRota> GetDutyRota(GetDutyRotaRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        StaffCaller.From(context).RequireTenant(tenant);
        return ToProto(await cluster.GetGrain<Domain.IDutyGrain>(tenant).GetRotaAsync(DateTimeOffset.UtcNow));
    }

    public override async Task<DutyRota> UpdateDutyRota(UpdateDutyRotaRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        caller.RequireSupervisor("Den Bereitschaftsplan ändern nur Vorgesetzte.");
        var shifts = request.Shifts.Select(s => new Domain.RotaShift(Date(s.FromDate, "from_date"), Date(s.ToDate, "to_date"), [.. s.StaffIds])).ToImmutableArray();
        await RecordAsync(caller, context, null);
        try
        {
            return ToProto(await cluster.GetGrain<Domain.IDutyGrain>(tenant).UpdateRotaAsync(caller.Actor, shifts, request.Version));
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.Aborted, ex.Message));
        }
    }

    public override async Task<ResolveAlertResponse> ResolveAlert(ResolveAlertRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = StaffCaller.From(context);
        var citizen = await cluster.GetGrain<Domain.IDutyGrain>(caller.Tenant).FindAlertAsync(request.AlertId)
            ?? throw new KeyNotFoundException("Diese Benachrichtigung ist erledigt: jemand hat die Unterhaltung schon geöffnet.");
        return new ResolveAlertResponse { Conversation = Domain.CitizenKey.ParseGrainKey(citizen).ResourceName };
    }

    // A staff member opened a conversation: its alert stops ringing (a one-way call, nothing waits for it).
    private void Opened(StaffCaller caller, Domain.CitizenKey key) =>
        _ = cluster.GetGrain<Domain.IDutyGrain>(key.Tenant).OpenedAsync(key.GrainKey, caller.StaffId);

    private (Domain.IDutyGrain Duty, Domain.StaffMember Member) Duty(ServerCallContext context)
    {
        var caller = StaffCaller.From(context);
        return (cluster.GetGrain<Domain.IDutyGrain>(caller.Tenant), new Domain.StaffMember(caller.StaffId, caller.Name, caller.Role));
    }

    private static DateOnly Date(string value, string field) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ArgumentException($"{field} ist kein Datum der Form JJJJ-MM-TT: „{value}“.");

    private static NotificationSettings ToProto(Domain.StaffNotificationSettings settings)
    {
        var proto = new NotificationSettings
        {
            Paused = settings.Paused,
            DutyNumber = settings.DutyNumber ?? "",
            VapidPublicKey = settings.VapidPublicKey ?? "",
            OnDutyNow = settings.OnDutyNow,
        };
        proto.Devices.AddRange(settings.Devices.Select(d => new PushDevice
        {
            DeviceId = d.DeviceId,
            Label = d.Label ?? "",
            PushService = d.PushServiceHost,
            RegisterTime = Timestamp.FromDateTimeOffset(d.RegisteredAt),
            LastDeliveryTime = d.LastDeliveredAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        }));
        return proto;
    }

    private static DutyRota ToProto(Domain.DutyRota rota)
    {
        var proto = new DutyRota { Version = rota.Version, OfficeOpen = rota.OfficeOpen };
        proto.Shifts.AddRange(rota.Shifts.Select(s => new RotaShift
        {
            FromDate = s.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ToDate = s.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            StaffIds = { s.Staff },
        }));
        proto.Staff.AddRange(rota.Staff.Select(m => new DutyStaff { StaffId = m.StaffId, DisplayName = m.DisplayName ?? "", Role = m.Role }));
        proto.OnDuty.AddRange(rota.OnDuty);
        return proto;
    }
}
