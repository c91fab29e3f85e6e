namespace GoldbachActors.Contracts;

/// <summary>Broadcast list ids (<c>kitzrettung</c>) and the grain keys built from them.</summary>
public static class ListIds
{
    /// <summary>1 to 40 lower-case ASCII letters, digits or '-'.</summary>
    public static bool IsValid(string? listId) =>
        !string.IsNullOrEmpty(listId) && listId.Length <= 40 && listId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>The key of a tenant's list grain, or of one of its broadcasts: <c>{tenant}/{id}</c>.</summary>
    public static string GrainKey(string tenant, string id) => $"{tenant}/{id}";

    /// <summary>Splits a key made by <see cref="GrainKey"/>.</summary>
    public static (string Tenant, string Id) Parse(string grainKey)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? (grainKey[..slash], grainKey[(slash + 1)..]) : throw new FormatException("Not a {tenant}/{id} key.");
    }
}
