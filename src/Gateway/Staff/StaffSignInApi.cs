using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;

namespace GoldbachActors.Gateway.Staff;

/// <summary>How staff sign in at this gateway, and who a token says they are.</summary>
public sealed partial class StaffApiService
{
    [AllowAnonymous]
    public override Task<SignInSettings> GetSignInSettings(GetSignInSettingsRequest request, ServerCallContext context)
    {
        var options = signIn.Value;
        return Task.FromResult(new SignInSettings
        {
            Authority = options.Authority ?? "",
            InboxClientId = options.Clients.Inbox,
            CliClientId = options.Clients.Cli,
            Scope = options.Clients.Scope,
            Resource = options.Clients.Resource ?? "",
            // Production refuses to start with a signing key; Staging and the tests have no token box either.
            DevelopmentTokens = environment.IsDevelopment() && !string.IsNullOrEmpty(options.SigningKey),
        });
    }

    public override Task<SignedInStaff> GetSignedInStaff(GetSignedInStaffRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = StaffCaller.From(context);
        if (tenants.Find(caller.Tenant) is not { } settings)
        {
            // The provider's group names a town this system does not serve (a mapping for a town not set up yet).
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                "Ihre Gemeinde ist in diesem System nicht eingerichtet: bitte bei der IT melden."));
        }
        var bearer = context.GetHttpContext().Request.Headers.Authorization.ToString();
        // Already validated by the bearer handler: read only for its lifetime.
        var token = new JsonWebToken(bearer["Bearer ".Length..].Trim());
        return Task.FromResult(new SignedInStaff
        {
            StaffId = caller.StaffId,
            DisplayName = caller.Name ?? "",
            Role = caller.Role,
            Tenant = $"tenants/{caller.Tenant}",
            ExpireTime = Timestamp.FromDateTime(token.ValidTo),
            Department = caller.Department ?? "",
            DepartmentName = caller.Department is { } department
                ? Contracts.Configuration.ServiceCatalog.Departments(settings).GetValueOrDefault(department)?.Name ?? department
                : "",
        });
    }
}
