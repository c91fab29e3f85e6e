using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// How the gateway checks staff tokens (JWT bearer). Section <c>Staff:Authentication</c>. With
/// <see cref="Authority"/> set, the town's OpenID provider (Entra ID, Keycloak) signs them with the keys it publishes
/// (discovery and JWKS, rotation included); its claims become the staff id, role and tenant by
/// <see cref="Claims"/>. The HMAC <see cref="SigningKey"/> (tokens minted by <c>goldbach token</c>) is for
/// Development and the tests only: in Production the gateway refuses to start with it.
/// </summary>
public sealed class StaffAuthenticationOptions
{
    public const string SectionName = "Staff:Authentication";

    /// <summary>The OpenID provider's issuer URL (its discovery document is at <c>/.well-known/openid-configuration</c>).</summary>
    public string? Authority { get; set; }

    /// <summary>Whether the discovery document must come over HTTPS (off only for a local provider on http://localhost).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The algorithms the provider's tokens may be signed with; anything else is refused.</summary>
    public List<string> ValidAlgorithms { get; set; } = [];

    /// <summary>
    /// How often an unknown key id may make the gateway fetch the provider's keys again (a rotation takes effect within
    /// it); at least one second.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The tokens' audience: the staff API's resource (for the HMAC key and the provider alike).</summary>
    [Required]
    public string Audience { get; set; } = "";

    /// <summary>The issuer of tokens signed with <see cref="SigningKey"/> (Development and tests).</summary>
    public string? Issuer { get; set; }

    /// <summary>The HMAC-SHA256 development key, at least 32 characters (Development and tests; refused in Production).</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// How far a token's lifetime may be off the gateway's clock (default 30 s; the tests of the web inbox's renewal
    /// set zero, so that an expired token is refused at once).
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Which of the provider's claims say who a staff member is, what they may do and for which town.</summary>
    public StaffClaimMapping Claims { get; set; } = new();

    /// <summary>The front ends' clients at the provider, which the gateway tells them (GetSignInSettings).</summary>
    public StaffSignInClients Clients { get; set; } = new();
}

/// <summary>The staff front ends as registered at the town's OpenID provider. Section <c>Staff:Authentication:Clients</c>.</summary>
public sealed class StaffSignInClients
{
    /// <summary>The web inbox: a public client (no secret) with the authorization code flow and PKCE; redirect URIs
    /// <c>{inbox}/auth/callback</c>, post-logout redirect <c>{inbox}/</c>.</summary>
    public string Inbox { get; set; } = "goldbach-inbox";

    /// <summary>The CLI: a public client with the device authorization grant (RFC 8628).</summary>
    public string Cli { get; set; } = "goldbach-cli";

    /// <summary>The scopes both ask for (Entra ID: add the API's scope, e.g. <c>api://…/Staff.Access</c>).</summary>
    public string Scope { get; set; } = "openid profile offline_access";

    /// <summary>A resource indicator (RFC 8707) to ask tokens for; empty: none (Keycloak, Entra ID use the scope).</summary>
    public string? Resource { get; set; }
}

/// <summary>
/// The provider's claims as the gateway reads them. Explicit configuration: docs/operations.md has an Entra ID and a
/// Keycloak example.
/// </summary>
public sealed class StaffClaimMapping
{
    /// <summary>The stable subject recorded in the audit log (<c>sub</c>; Entra ID: <c>oid</c> is stable across apps).</summary>
    public string StaffId { get; set; } = "sub";

    /// <summary>The display name recorded beside it.</summary>
    public string Name { get; set; } = "name";

    /// <summary>The claim with the provider's roles or groups that <see cref="Roles"/> maps (a list or a single value).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The provider's role (or group) names → agent, supervisor or admin; the highest one a token carries counts.</summary>
    public Dictionary<string, string> Roles { get; set; } = [];

    /// <summary>A claim that names the tenant (<c>phone_number_id</c>) directly; none: the groups decide.</summary>
    public string? TenantClaim { get; set; }

    /// <summary>The claim with the groups that <see cref="GroupTenants"/> maps.</summary>
    public string GroupClaim { get; set; } = "groups";

    /// <summary>The provider's group names (or ids) → the tenant whose staff they are.</summary>
    public Dictionary<string, string> GroupTenants { get; set; } = [];

    /// <summary>
    /// A claim that names the department (a key of the tenant's <c>Departments</c>) directly; its staff see only that
    /// department's requests. Null: from <see cref="GroupDepartments"/>.
    /// </summary>
    public string? DepartmentClaim { get; set; }

    /// <summary>Group (in <see cref="GroupClaim"/>) → department key: the provider's group of a department's staff.</summary>
    public Dictionary<string, string> GroupDepartments { get; set; } = [];
}
