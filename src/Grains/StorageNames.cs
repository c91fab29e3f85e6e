namespace GoldbachActors.Grains;

/// <summary>The names of the grain storage providers the grains use; the silo configures one for each.</summary>
public static class StorageNames
{
    /// <summary>Citizen state: profile, conversation, outbox, deduplication window.</summary>
    public const string Citizens = "citizens";

    /// <summary>Per-tenant state: the duty service (rota, staff devices, open alerts).</summary>
    public const string Tenants = "tenants";
}
