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

    /// <summary>
    /// The acknowledgement outside office hours; <c>{next}</c> names the next opening ("Montag, 2. Juni ab 8:00 Uhr").
    /// Without it, or without office hours, the acknowledgement is always <see cref="AcknowledgementText"/>.
    /// </summary>
    [MaxLength(4000)]
    public string? OutOfHoursAcknowledgementText { get; init; }

    /// <summary>Office periods per day in Europe/Berlin time: <c>"Monday": "08:00-12:00, 14:00-18:00"</c>.</summary>
    public Dictionary<string, string> OfficeHours { get; init; } = [];

    /// <summary>No message from either side for longer than this, and the citizen's next message opens a new
    /// conversation (with a new acknowledgement).</summary>
    [Range(typeof(TimeSpan), "00:10:00", "90.00:00:00")]
    public TimeSpan ConversationSilence { get; init; } = TimeSpan.FromDays(3);

    /// <summary>No automatic acknowledgement within this long after a staff reply.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan QuietAfterStaffReply { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Days the town hall is closed besides the Bavarian public holidays (e.g. 24 and 31 December).</summary>
    public List<DateOnly> ClosedDays { get; init; } = [];
}
