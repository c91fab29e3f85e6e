using GoldbachActors.StaffApi.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Domain = GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// The data protection calls of the staff API: a citizen's export (Art. 15), their erasure (Art. 17) and the retention
/// report. Supervisors and admins only; each call is in the audit log before it acts.
/// </summary>
public sealed partial class StaffApiService
{
    private const string PrivacyRefusal = "Exports, erasures and retention are for supervisors and admins.";

    public override async Task ExportCitizen(ExportCitizenRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        var (key, caller) = await SelectCitizenAsync(request.Citizen, context);
        await RecordAsync(caller, context, key.ResourceName);
        var export = await cluster.GetGrain<Domain.ICitizenGrain>(key.GrainKey).ExportAsync()
            ?? throw new KeyNotFoundException("Nothing is stored about this citizen.");
        // The citizen's entries under every identity they had, this export's own included.
        var names = export.FormerIdentities.Select(i => Domain.CitizenKey.Create(key.Tenant, i).ResourceName).Append(export.Conversation).ToList();
        var entries = await audit.ListAboutAsync(key.Tenant, names, context.CancellationToken);
        var controller = tenants.Find(key.Tenant)?.Name ?? key.Tenant;
        await using var archive = new ExportChunkStream(responseStream, CitizenExportArchive.FileName(export.ExportedAt), context.CancellationToken);
        var requests = await cluster.GetGrain<Domain.IServiceRequestsGrain>(key.Tenant).ListAsync(new Domain.ServiceRequestFilter { CitizenKey = key.GrainKey, Limit = 10_000 });
        await CitizenExportArchive.WriteAsync(archive, controller, export, entries, requests, blobs.GetBlobContainerClient("media"), context.CancellationToken);
        await archive.FlushAsync(context.CancellationToken);
    }

    public override async Task<ErasureResult> EraseCitizen(EraseCitizenRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (key, caller) = await SelectCitizenAsync(request.Citizen, context);
        var id = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString("N") : request.RequestId;
        if (!IsResourceId(id))
        {
            throw new ArgumentException("request_id has 1 to 40 letters, digits, '-' or '_'.");
        }
        var erasure = new Domain.CitizenErasure(id, caller.StaffId, Domain.ErasureReason.Request, DateTimeOffset.UtcNow);
        // Recorded under the erasure's reference: the log keeps that it happened, when and by whom, not whom it erased.
        await RecordAsync(caller, context, erasure.AuditReference);
        var report = await cluster.GetGrain<Domain.ICitizenGrain>(key.GrainKey).EraseAsync(erasure);
        if (!report.Finished)
        {
            // The trailer tells a client this apart from a service that could not be reached at all.
            throw new RpcException(new Status(StatusCode.Unavailable,
                "The erasure has begun (the conversation is gone) but storage refused a step; it completes by itself within minutes, or repeat the request with the same request_id."),
                new Metadata { { Domain.StaffApiMetadata.ErasureState, "begun" } });
        }
        return new ErasureResult
        {
            Reference = erasure.AuditReference,
            Messages = report.Messages,
            HistoryPages = report.HistoryPages,
            MediaFiles = report.MediaFiles,
            Lists = report.Lists,
            Broadcasts = report.Broadcasts,
            Identities = report.Identities,
            AuditEntries = report.AuditEntries,
            Requests = report.Requests,
        };
    }

    public override async Task<RetentionReport> RunRetention(RunRetentionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = RequireSupervisor(context, tenant, PrivacyRefusal);
        await RecordAsync(caller, context, null);
        var retention = cluster.GetGrain<Domain.IRetentionGrain>(tenant);
        var report = request.Apply ? await retention.ApplyAsync() : await retention.PreviewAsync();
        var response = new RetentionReport
        {
            AsOf = Timestamp.FromDateTimeOffset(report.AsOf),
            DryRun = report.DryRun,
            AuditEntriesDue = report.AuditEntriesDue,
            AuditPeriodDays = report.AuditPeriodDays ?? 0,
            ConversationsDeleted = report.ConversationsDeleted,
            AuditEntriesDeleted = report.AuditEntriesDeleted,
            ErasedCitizensRestored = report.ErasedCitizensRestored,
            ErasedAgain = report.ErasedAgain,
        };
        response.Categories.AddRange(report.Items.Select(i => new RetentionCategory
        {
            Category = i.Category,
            PeriodDays = i.PeriodDays,
            Resolved = i.Resolved,
            Due = i.Due,
            NextDueTime = i.NextDueAt is { } next ? Timestamp.FromDateTimeOffset(next) : null,
        }));
        return response;
    }

    // The citizen by conversation, phone number or user id; the caller must be a supervisor of that tenant.
    private async Task<(Domain.CitizenKey Key, StaffCaller Caller)> SelectCitizenAsync(CitizenSelector? selector, ServerCallContext context)
    {
        if (selector is null)
        {
            throw new ArgumentException("citizen is required: its parent and one of conversation, phone_number or user_id.");
        }
        var tenant = ParseParent(selector.Parent, "citizen.parent");
        var caller = RequireSupervisor(context, tenant, PrivacyRefusal);
        var given = new[] { selector.Conversation, selector.PhoneNumber, selector.UserId }.Count(v => !string.IsNullOrEmpty(v));
        if (given != 1)
        {
            throw new ArgumentException("Give exactly one of citizen.conversation, citizen.phone_number or citizen.user_id.");
        }
        if (!string.IsNullOrEmpty(selector.UserId))
        {
            return Domain.CitizenKey.IsValidIdentity(selector.UserId) && selector.UserId.Contains('.', StringComparison.Ordinal)
                ? (Domain.CitizenKey.Create(tenant, selector.UserId), caller)
                : throw new ArgumentException("citizen.user_id is not a WhatsApp user id (BSUID, e.g. DE.1234…).");
        }
        return (await MemberAsync(tenant, selector.PhoneNumber, selector.Conversation), caller);
    }
}
