namespace GoldbachActors.Contracts.Configuration;

/// <summary>A tenant's services and departments for requests: its own, or the town's list when it configures none.</summary>
public static class ServiceCatalog
{
    /// <summary>The departments when the tenant configures none.</summary>
    public static readonly IReadOnlyDictionary<string, DepartmentOptions> DefaultDepartments = new Dictionary<string, DepartmentOptions>
    {
        ["bauhof"] = new() { Name = "Bauhof" },
        ["ordnungsamt"] = new() { Name = "Ordnungsamt" },
        ["verwaltung"] = new() { Name = "Verwaltung" },
    };

    /// <summary>The services when the tenant configures none: the categories of the town's report that lead to work.</summary>
    public static readonly IReadOnlyDictionary<string, ServiceOptions> DefaultServices = new Dictionary<string, ServiceOptions>
    {
        ["parkverstoss"] = new() { Name = "Parkverstoß", Category = "Parkverstoß", Department = "ordnungsamt", TurnaroundWorkingDays = 1, Keywords = ["parken", "verkehr"] },
        ["spielplatz"] = new() { Name = "Spielplatz beschädigt", Category = "Spielplatz", Department = "bauhof", TurnaroundWorkingDays = 5, Keywords = ["spielplatz", "schaden"] },
        ["vermuellung"] = new() { Name = "Vermüllung / Verschmutzung", Category = "Vermüllung/Verschmutzung", Department = "bauhof", TurnaroundWorkingDays = 3, Keywords = ["müll", "sauberkeit"] },
        ["laerm"] = new() { Name = "Lärmbelästigung", Category = "Lärmbelästigung", Department = "ordnungsamt", TurnaroundWorkingDays = 2, Keywords = ["lärm"] },
        ["sonstiges"] = new() { Name = "Sonstiger Schaden oder Hinweis", Category = "Sonstiges", Department = "verwaltung", TurnaroundWorkingDays = 5 },
    };

    public static IReadOnlyDictionary<string, ServiceOptions> Services(TenantOptions tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Services.Count > 0 ? tenant.Services : DefaultServices;
    }

    public static IReadOnlyDictionary<string, DepartmentOptions> Departments(TenantOptions tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Departments.Count > 0 ? tenant.Departments : DefaultDepartments;
    }

    /// <summary>The service proposed for a conversation's category (null when none belongs to it).</summary>
    public static string? ServiceFor(TenantOptions tenant, string? category) =>
        category is null ? null : Services(tenant).FirstOrDefault(s => string.Equals(s.Value.Category, category, StringComparison.Ordinal)).Key;
}
