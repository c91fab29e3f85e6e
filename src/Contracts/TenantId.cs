using System.Diagnostics.CodeAnalysis;

namespace GoldbachActors.Contracts;

/// <summary>
/// A tenant is one WhatsApp business number, identified by Meta's <c>phone_number_id</c>. Its staff API resource
/// name is <c>tenants/{phone_number_id}</c>.
/// </summary>
public static class TenantId
{
    private const string ResourcePrefix = "tenants/";

    /// <summary>True when <paramref name="tenant"/> looks like a <c>phone_number_id</c> (1 to 32 digits).</summary>
    public static bool IsValid([NotNullWhen(true)] string? tenant) =>
        tenant is { Length: > 0 and <= 32 } && tenant.All(char.IsAsciiDigit);

    /// <summary>The resource name of a tenant.</summary>
    public static string ToResourceName(string tenant) => ResourcePrefix + tenant;

    /// <summary>Parses <c>tenants/{phone_number_id}</c>.</summary>
    public static bool TryParseResourceName(string? name, [NotNullWhen(true)] out string? tenant)
    {
        tenant = null;
        if (name is null || !name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var candidate = name[ResourcePrefix.Length..];
        if (!IsValid(candidate))
        {
            return false;
        }
        tenant = candidate;
        return true;
    }
}
