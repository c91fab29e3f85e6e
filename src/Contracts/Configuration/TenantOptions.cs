using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Contracts.Configuration;

/// <summary>
/// The tenants this deployment serves, bound from the configuration section <c>Goldbach</c>; every host reads the
/// same section. A tenant is one WhatsApp business number, keyed by its <c>phone_number_id</c>.
/// </summary>
public sealed class GoldbachOptions
{
    public const string SectionName = "Goldbach";

    /// <summary>The tenants by <c>phone_number_id</c>.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; init; } = [];

    /// <summary>The tenant's options, or null when no tenant owns this <c>phone_number_id</c>.</summary>
    public TenantOptions? Find(string tenant) => Tenants.GetValueOrDefault(tenant);
}

/// <summary>One WhatsApp business number and how the town answers on it.</summary>
public sealed class TenantOptions
{
    /// <summary>The administration's name, e.g. "Markt Goldbach".</summary>
    [Required, MaxLength(200)]
    public string Name { get; init; } = "";

    /// <summary>The automatic acknowledgement sent once per conversation.</summary>
    [Required, MaxLength(4096)]
    public string AcknowledgementText { get; init; } = "";
}
