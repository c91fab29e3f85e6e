using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// The tenant's settings for its admins: read, save with optimistic concurrency, the history, and previews. Every
/// call names the tenant, and an admin reaches only their own; a save is audited before it is made.
/// </summary>
public sealed partial class StaffApiService
{
    public override async Task<TenantSettings> GetTenantSettings(GetTenantSettingsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = AdminSettings(request.Parent, context, out _);
        return ToProto(await settings.GetAsync() ?? throw new KeyNotFoundException("Diese Gemeinde hat keine Einstellungen."));
    }

    public override async Task<UpdateTenantSettingsResponse> UpdateTenantSettings(UpdateTenantSettingsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = AdminSettings(request.Parent, context, out var caller);
        await RecordAsync(caller, context, null);
        var update = await settings.UpdateAsync(caller.Actor, request.Version, request.DocumentJson);
        if (update.Outcome == Domain.TenantSettingsOutcome.Conflict)
        {
            throw new RpcException(new Status(StatusCode.Aborted,
                $"Die Einstellungen wurden inzwischen geändert (jetzt Version {update.Current!.Version}, Ihre Änderung beruht auf Version {request.Version}): bitte neu laden und erneut ändern."));
        }
        if (update.Outcome == Domain.TenantSettingsOutcome.Saved)
        {
            tenants.Accept(caller.Tenant, update.Current!);
        }
        var response = new UpdateTenantSettingsResponse
        {
            Saved = update.Outcome == Domain.TenantSettingsOutcome.Saved,
            Settings = update.Current is null ? null : ToProto(update.Current),
        };
        response.Errors.AddRange(update.Errors.Select(ToProto));
        return response;
    }

    public override async Task<ListTenantSettingsChangesResponse> ListTenantSettingsChanges(ListTenantSettingsChangesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = AdminSettings(request.Parent, context, out _);
        var response = new ListTenantSettingsChangesResponse();
        foreach (var change in await settings.GetHistoryAsync())
        {
            var proto = new StaffApi.V1.TenantSettingsChange { Version = change.Version, ChangeTime = Timestamp.FromDateTimeOffset(change.At), StaffId = change.StaffId, Note = change.Note ?? "" };
            proto.Sections.AddRange(change.Sections.Select(s => new StaffApi.V1.SettingsSectionChange { Section = s.Section, BeforeJson = s.Before ?? "", AfterJson = s.After ?? "" }));
            response.Changes.Add(proto);
        }
        return response;
    }

    public override async Task<AcknowledgementPreviewResponse> PreviewAcknowledgement(PreviewAcknowledgementRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = AdminSettings(request.Parent, context, out _);
        var at = request.Time is null ? DateTimeOffset.UtcNow : request.Time.ToDateTimeOffset();
        var preview = await settings.PreviewAsync(Draft(request.DocumentJson), at);
        var response = new AcknowledgementPreviewResponse { Open = preview.Open, NextOpening = preview.NextOpening ?? "" };
        response.Texts.AddRange(preview.Texts.Select(t => new StaffApi.V1.AcknowledgementPreviewText { Language = t.Language, Text = t.Text, UrgentText = t.UrgentText }));
        response.Errors.AddRange(preview.Errors.Select(ToProto));
        return response;
    }

    public override async Task<TestTriageResponse> TestTriage(TestTriageRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = AdminSettings(request.Parent, context, out _);
        if (request.Text.Length > 4096)
        {
            throw new ArgumentException("Eine Testnachricht hat höchstens 4.096 Zeichen.");
        }
        var result = await settings.TestTriageAsync(Draft(request.DocumentJson), request.Text);
        var response = new TestTriageResponse { Category = result.Category, Urgent = result.Urgent, Language = result.Language ?? "" };
        response.Errors.AddRange(result.Errors.Select(ToProto));
        return response;
    }

    public override async Task<TenantSettings> CreateTenant(CreateTenantRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = StaffCaller.Operator(context);
        if (!Domain.TenantId.IsValid(request.PhoneNumberId))
        {
            throw new ArgumentException("phone_number_id ist die Kennung der WhatsApp-Nummer (1 bis 32 Ziffern).");
        }
        if (string.IsNullOrWhiteSpace(request.FirstAdmin))
        {
            throw new ArgumentException("first_admin nennt die erste Administration (ihre Kennung beim Anmeldedienst).");
        }
        var document = Domain.Configuration.TenantSettingsDocument.Serialize(new Domain.Configuration.TenantOptions
        {
            Name = request.Name.Trim(),
            AcknowledgementText = request.AcknowledgementText.Trim(),
        });
        await audit.RecordAsync(request.PhoneNumberId, caller.StaffId, caller.Name, caller.Role, "CreateTenant", null, context.CancellationToken);
        var created = await cluster.GetGrain<Domain.ITenantSettingsGrain>(request.PhoneNumberId).CreateAsync(caller.Actor, document, request.FirstAdmin.Trim());
        switch (created.Outcome)
        {
            case Domain.TenantSettingsOutcome.Exists:
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"Die Gemeinde {request.PhoneNumberId} gibt es schon."));
            case Domain.TenantSettingsOutcome.Invalid:
                throw new ArgumentException(string.Join(" ", created.Errors.Select(e => $"{e.Field}: {e.Message}")));
            default:
                tenants.Accept(request.PhoneNumberId, created.Current!);
                return ToProto(created.Current!);
        }
    }

    // Settings are the admins' and their own tenant's only: refused here, before any grain is asked.
    private Domain.ITenantSettingsGrain AdminSettings(string parent, ServerCallContext context, out StaffCaller caller)
    {
        var tenant = ParseParent(parent);
        caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        if (!caller.Actor.IsAdmin)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Die Einstellungen der Gemeinde sehen und ändern nur Administratoren."));
        }
        return cluster.GetGrain<Domain.ITenantSettingsGrain>(tenant);
    }

    private static string? Draft(string document) => string.IsNullOrWhiteSpace(document) ? null : document;

    private static TenantSettings ToProto(Domain.TenantSettingsVersion version) => new()
    {
        Version = version.Version,
        DocumentJson = version.Document,
        ChangeTime = version.ChangedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };

    private static StaffApi.V1.SettingsFieldError ToProto(Domain.SettingsFieldError error) => new() { Field = error.Field, Message = error.Message };
}
