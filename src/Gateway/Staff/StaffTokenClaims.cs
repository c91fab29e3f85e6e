using System.Security.Claims;
using System.Text.Json;
using GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// Turns a token of the town's OpenID provider into the staff claims the API works with (<see cref="StaffClaims"/>):
/// the stable subject, the display name, the highest role the configured table gives, and the tenant from a claim or
/// the group table. A token it cannot map keeps no staff claims and says why (<see cref="Refusal"/>).
/// </summary>
public static class StaffTokenClaims
{
    /// <summary>The claim that carries why a provider's token gives no staff member (read by <see cref="StaffCaller"/>).</summary>
    public const string Refusal = "goldbach_refusal";

    /// <summary>The display name claim the gateway keeps beside the staff id.</summary>
    public const string DisplayName = "name";

    // The operator ranks lowest: an account that also holds a town's role works as that role.
    private static readonly string[] Rank = [StaffRoles.Operator, StaffRoles.Agent, StaffRoles.Supervisor, StaffRoles.Admin];

    /// <summary>The staff claims for <paramref name="token"/>'s claims, or a refusal.</summary>
    public static IReadOnlyList<Claim> Map(IEnumerable<Claim> token, StaffClaimMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(mapping);
        var claims = token.ToList();
        var staffId = Values(claims, mapping.StaffId).FirstOrDefault();
        if (string.IsNullOrWhiteSpace(staffId))
        {
            return [new Claim(Refusal, $"Der Token nennt keine Person (Claim „{mapping.StaffId}“ fehlt).")];
        }
        var role = Values(claims, mapping.RoleClaim)
            .Select(r => mapping.Roles.TryGetValue(r, out var mapped) ? mapped : null)
            .Where(r => r is not null && Rank.Contains(r))
            .MaxBy(r => Array.IndexOf(Rank, r));
        if (role is null)
        {
            return [new Claim(Refusal, "Ihr Konto hat keine Rolle für den Posteingang (Sachbearbeitung, Leitung oder Administration): bitte bei der IT freischalten lassen.")];
        }
        var tenant = mapping.TenantClaim is { } tenantClaim
            ? Values(claims, tenantClaim).FirstOrDefault()
            : Values(claims, mapping.GroupClaim).Select(g => mapping.GroupTenants.GetValueOrDefault(g)).FirstOrDefault(t => t is not null);
        if (!TenantId.IsValid(tenant))
        {
            return [new Claim(Refusal, "Ihr Konto gehört zu keiner Gemeinde dieses Posteingangs: bitte bei der IT freischalten lassen.")];
        }
        var result = new List<Claim> { new(StaffClaims.StaffId, staffId), new(StaffClaims.Role, role), new(StaffClaims.Tenant, tenant) };
        var department = mapping.DepartmentClaim is { } departmentClaim
            ? Values(claims, departmentClaim).FirstOrDefault()
            : Values(claims, mapping.GroupClaim).Select(g => mapping.GroupDepartments.GetValueOrDefault(g)).FirstOrDefault(d => d is not null);
        if (!string.IsNullOrWhiteSpace(department))
        {
            result.Add(new Claim(StaffClaims.Department, department));
        }
        if (Values(claims, mapping.Name).FirstOrDefault() is { Length: > 0 } name)
        {
            result.Add(new Claim(DisplayName, name));
        }
        return result;
    }

    // A claim's values: JsonWebTokenHandler gives one claim per array element; a claim that holds a JSON array as text
    // (some providers' group claims) is read as its elements.
    private static IEnumerable<string> Values(List<Claim> claims, string type)
    {
        foreach (var claim in claims.Where(c => c.Type == type))
        {
            if (claim.ValueType == "JSON_ARRAY" || claim.Value.StartsWith('['))
            {
                string[]? items = null;
                try
                {
                    items = JsonSerializer.Deserialize<string[]>(claim.Value);
                }
                catch (JsonException)
                {
                }
                foreach (var item in items ?? [claim.Value])
                {
                    yield return item;
                }
            }
            else
            {
                yield return claim.Value;
            }
        }
    }
}
