namespace GoldbachActors.Contracts;

/// <summary>
/// What front ends need to know about one tenant (its name, the categories staff choose from, the window template),
/// as the silo's tenant rules define it. Keyed by the tenant's <c>phone_number_id</c>; stateless.
/// </summary>
[Alias("goldbach.ITenantProfileGrain")]
public interface ITenantProfileGrain : IGrainWithStringKey
{
    /// <summary>The tenant's profile.</summary>
    /// <exception cref="KeyNotFoundException">No tenant owns this <c>phone_number_id</c>.</exception>
    [Alias("Get")]
    Task<TenantProfile> GetAsync();
}

/// <summary>One tenant as staff front ends show it.</summary>
/// <param name="Name">The administration's name, e.g. "Markt Goldbach".</param>
/// <param name="Categories">The categories staff may choose, "Sonstiges" included.</param>
/// <param name="WindowTemplate">The approved template sent when the 24-hour window is closed, or null if none.</param>
/// <param name="Languages">The languages the tenant acknowledges in, German first.</param>
[GenerateSerializer, Immutable, Alias("goldbach.TenantProfile")]
public sealed record TenantProfile(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> Categories,
    [property: Id(2)] string? WindowTemplate,
    [property: Id(3)] IReadOnlyList<string> Languages);
