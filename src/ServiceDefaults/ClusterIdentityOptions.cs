using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace GoldbachActors.ServiceDefaults;

/// <summary>
/// Which Orleans cluster a host belongs to, from the section <c>Orleans</c> (or the Kubernetes-style variables
/// <c>ORLEANS_CLUSTER_ID</c> and <c>ORLEANS_SERVICE_ID</c>). Silos and gateway must agree on all three values.
/// </summary>
public sealed class ClusterIdentityOptions
{
    /// <summary>
    /// This deployment's cluster. A blue/green deployment gets a new one.
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9-]{1,63}$")]
    public string ClusterId { get; set; } = "goldbach-dev";

    /// <summary>
    /// The service, stable across deployments: grain state is stored under it. Never change it in place.
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9-]{1,63}$")]
    public string ServiceId { get; set; } = "goldbach";

    /// <summary>The Azure Table of the cluster's membership.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string MembershipTable { get; set; } = "OrleansSiloInstances";

    /// <summary>Reads and validates the values; throws with the wrong value named.</summary>
    public static ClusterIdentityOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ClusterIdentityOptions();
        configuration.GetSection("Orleans").Bind(options);
        options.ClusterId = configuration["ORLEANS_CLUSTER_ID"] ?? options.ClusterId;
        options.ServiceId = configuration["ORLEANS_SERVICE_ID"] ?? options.ServiceId;
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new InvalidOperationException(
                "Invalid Orleans configuration: " + string.Join("; ", results.Select(r => $"{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")));
        }
        return options;
    }
}
