using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace GoldbachActors.Gateway.Staff;

/// <summary>The staff API's audit log: who read or changed what, for supervisors and admins.</summary>
public sealed partial class StaffApiService
{
    public override async Task<ListAuditEntriesResponse> ListAuditEntries(ListAuditEntriesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = ParseParent(request.Parent);
        var caller = StaffCaller.From(context);
        caller.RequireTenant(tenant);
        caller.RequireSupervisor("The audit log is for supervisors and admins.");
        if (request.PageSize < 0)
        {
            throw new ArgumentException("page_size must not be negative.");
        }
        await RecordReadingAsync(caller, context, $"{request.Parent}/auditEntries/{request.Conversation}", null);
        var (entries, next) = await audit.ListAsync(
            tenant, request.PageSize == 0 ? 100 : Math.Min(request.PageSize, 1000),
            string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken,
            string.IsNullOrEmpty(request.Conversation) ? null : request.Conversation, context.CancellationToken);
        var response = new ListAuditEntriesResponse { NextPageToken = next ?? "" };
        response.Entries.AddRange(entries.Select(e => new AuditEntry
        {
            Time = Timestamp.FromDateTimeOffset(e.At),
            StaffId = e.StaffId,
            StaffName = e.StaffName ?? "",
            Role = e.Role,
            Action = e.Action,
            Conversation = e.Conversation ?? "",
        }));
        return response;
    }
}
