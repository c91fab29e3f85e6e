using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>Where and how the silo reaches WhatsApp's Graph API. Section <c>WhatsApp:GraphApi</c>.</summary>
public sealed class GraphApiOptions
{
    public const string SectionName = "WhatsApp:GraphApi";

    /// <summary>Meta's <c>https://graph.facebook.com</c> in production; the local stand-in otherwise.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>The Graph API version in the path, e.g. <c>v25.0</c>.</summary>
    [Required, RegularExpression("^v[0-9]+\\.[0-9]+$")]
    public string ApiVersion { get; set; } = "v25.0";

    /// <summary>The system user's access token (a secret: from the environment or a secret store).</summary>
    [Required]
    public string AccessToken { get; set; } = "";

    /// <summary>How long one attempt may take before it is abandoned.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the circuit stays open (no calls) once the API kept failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many calls in 30 seconds the circuit breaker needs before it judges the failure ratio (50 %).</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>
    /// How long a message whose send may have reached WhatsApp (a timeout) waits for a status webhook naming it before
    /// it is sent again. Meta reports <c>sent</c> within seconds of accepting a message.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AmbiguousSendGrace { get; set; } = TimeSpan.FromMinutes(2);
}
