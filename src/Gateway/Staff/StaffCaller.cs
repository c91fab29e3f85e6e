using System.Security.Claims;
using GoldbachActors.Contracts;
using Grpc.Core;

namespace GoldbachActors.Gateway.Staff;

/// <summary>The authenticated staff member behind a call, from their token's claims.</summary>
public sealed record StaffCaller(string StaffId, string Tenant, string Role, string? Name = null, string? Department = null)
{
    public static StaffCaller From(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return From(context.GetHttpContext().User);
    }

    public static StaffCaller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirstValue(StaffTokenClaims.Refusal) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
        }
        var staffId = user.FindFirstValue(StaffClaims.StaffId);
        var tenant = user.FindFirstValue(StaffClaims.Tenant);
        var role = user.FindFirstValue(StaffClaims.Role);
        if (string.IsNullOrEmpty(staffId) || !TenantId.IsValid(tenant) || role is null || !StaffRoles.All.Contains(role))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                "Dem Token fehlen die Mitarbeiterkennung, die Gemeinde oder eine bekannte Rolle."));
        }
        return new StaffCaller(staffId, tenant, role, user.FindFirstValue(StaffTokenClaims.DisplayName),
            user.FindFirstValue(StaffClaims.Department) is { Length: > 0 } department ? department : null);
    }

    /// <summary>The operator behind a call (the only role that creates tenants); anyone else is refused.</summary>
    public static StaffCaller Operator(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.GetHttpContext().User;
        var staffId = user.FindFirstValue(StaffClaims.StaffId);
        if (user.FindFirstValue(StaffTokenClaims.Refusal) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
        }
        if (string.IsNullOrEmpty(staffId) || user.FindFirstValue(StaffClaims.Role) != StaffRoles.Operator)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Gemeinden legt nur der Betrieb an (Rolle „operator“)."));
        }
        return new StaffCaller(staffId, user.FindFirstValue(StaffClaims.Tenant) ?? "", StaffRoles.Operator, user.FindFirstValue(StaffTokenClaims.DisplayName));
    }

    /// <summary>
    /// A supervisor or an admin: reads the audit log, sends broadcasts, exports and erases, reassigns conversations.
    /// </summary>
    public bool IsSupervisor => Actor.IsSupervisor;

    /// <summary>The caller as the grains check them: their id and role (see <see cref="StaffActor"/>).</summary>
    public StaffActor Actor => new(StaffId, Role);

    /// <summary>Refuses the call (PermissionDenied, with <paramref name="refusal"/>) unless a supervisor or admin makes it.</summary>
    public void RequireSupervisor(string refusal)
    {
        if (!IsSupervisor)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
        }
    }

    /// <summary>Department staff: they see their department's requests, and nothing of the inbox.</summary>
    public bool IsDepartmentStaff => Department is not null;

    /// <summary>Staff of one town never see another town's conversations.</summary>
    public void RequireTenant(string tenant)
    {
        if (!string.Equals(tenant, Tenant, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Ihr Konto gehört nicht zu dieser Gemeinde: kein Zugriff auf ihren Posteingang."));
        }
    }
}
