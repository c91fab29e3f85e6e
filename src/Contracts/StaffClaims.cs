namespace GoldbachActors.Contracts;

/// <summary>
/// The claims of a staff access token (a JWT). The gateway trusts only tokens signed with its configured key
/// (in production: issued by the identity provider).
/// </summary>
public static class StaffClaims
{
    /// <summary>The staff member's id (JWT <c>sub</c>), recorded internally with what they did.</summary>
    public const string StaffId = "sub";

    /// <summary>The role: <see cref="StaffRoles"/>.</summary>
    public const string Role = "role";

    /// <summary>The one tenant (<c>phone_number_id</c>) the token is good for.</summary>
    public const string Tenant = "tenant";

    /// <summary>
    /// The department (a key of the tenant's <c>Departments</c>) a member of department staff works for: they see that
    /// department's requests and nothing of the inbox.
    /// </summary>
    public const string Department = "department";
}

/// <summary>What a staff member may do.</summary>
public static class StaffRoles
{
    /// <summary>Works conversations.</summary>
    public const string Agent = "agent";

    /// <summary>Also reassigns, reads the audit log, sees every queue.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Also configures the tenant.</summary>
    public const string Admin = "admin";

    /// <summary>The roles of a tenant's staff (the operator is none of them).</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Agent, Supervisor, Admin };

    /// <summary>
    /// Runs a cluster that serves several towns: creates tenants, and nothing else. Sees no town's conversations or
    /// settings (every other call refuses the role).
    /// </summary>
    public const string Operator = "operator";
}
