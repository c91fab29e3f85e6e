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

    /// <summary>How often the service's own durable schedules run (<c>Goldbach:Schedules</c>).</summary>
    public ScheduleOptions Schedules { get; init; } = new();

    /// <summary>How long the operator keeps backups of the storage account (<c>Goldbach:Backups</c>).</summary>
    public BackupOptions Backups { get; init; } = new();
}

/// <summary>
/// The backup horizon: an erased citizen's keyed hash is kept as long as a backup may still hold their data, so that
/// the retention run erases them again after a restore (docs/operations.md, "Backups").
/// </summary>
public sealed class BackupOptions
{
    /// <summary>
    /// Days the oldest backup, point-in-time restore or soft-deleted copy of the storage account is kept (the longest of
    /// them). Erasure tombstones live this long, at least 10 days (Meta's retries and the deduplication window).
    /// </summary>
    [Range(0, 3650)]
    public int RetentionDays { get; init; } = 35;

    /// <summary>How long a tombstone of an erased citizen is kept.</summary>
    public TimeSpan TombstoneLifetime => TimeSpan.FromDays(Math.Max(10, RetentionDays));
}

/// <summary>
/// The periods of the service's durable schedules (Orleans reminders), the same for every tenant. The defaults suit
/// production; a test shortens them, together with <see cref="MinimumReminderPeriod"/>, to watch the real reminder fire.
/// </summary>
public sealed class ScheduleOptions
{
    /// <summary>The shortest reminder period Orleans accepts (its own default: 1 minute).</summary>
    public TimeSpan MinimumReminderPeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The retention run's first tick after a silo registers it (once the cluster has settled).</summary>
    public TimeSpan RetentionFirstRun { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the retention rules run.</summary>
    public TimeSpan RetentionPeriod { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often a broadcast under way is continued after a restart, or once the messaging limit allows more.</summary>
    public TimeSpan BroadcastContinue { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the messaging limit's records older than 24 hours are deleted.</summary>
    public TimeSpan MessagingLimitSweep { get; init; } = TimeSpan.FromHours(1);
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

    /// <summary>
    /// The acknowledgement when triage finds danger in the first message, in or out of office hours: it tells the
    /// citizen to call 112 or 110 at once. Without it, a built-in text in the citizen's language (German, English,
    /// Ukrainian, Russian).
    /// </summary>
    [MaxLength(4096)]
    public string? UrgentAcknowledgementText { get; init; }

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

    /// <summary>
    /// The acknowledgements in other languages, by ISO 639-1 code (<c>"en"</c>, <c>"uk"</c>): used when the citizen
    /// clearly writes in that language. German (the texts above) is the default.
    /// </summary>
    public Dictionary<string, LocalizedAcknowledgement> Languages { get; init; } = [];

    /// <summary>
    /// The town's own staff numbers (E.164 with "+") or WhatsApp user ids: their messages get no acknowledgement, no
    /// flood limit, and go to the staff coordination queue.
    /// </summary>
    public List<string> StaffNumbers { get; init; } = [];

    /// <summary>
    /// The categories triage suggests, each with keyword stems (German; umlauts folded). Empty: the town's own
    /// categories from its report. "Sonstiges" always exists.
    /// </summary>
    public Dictionary<string, List<string>> Categories { get; init; } = [];

    /// <summary>Stems that signal danger (urgent, due at once). Empty: the built-in list (Unfall, Feuer, …).</summary>
    public List<string> DangerWords { get; init; } = [];

    /// <summary>
    /// How fast a citizen may write before the conversation is flagged as a flood (messages are still stored, but get
    /// no further acknowledgement). Default: bursts of 20, then one message every 30 seconds.
    /// </summary>
    public RateLimitOptions FloodLimit { get; init; } = new() { Burst = 20, Every = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// How fast the town sends to one citizen: Meta allows about one message every 6 seconds per recipient, with
    /// short bursts.
    /// </summary>
    public RateLimitOptions OutboundPerRecipient { get; init; } = new() { Burst = 4, Every = TimeSpan.FromSeconds(6) };

    /// <summary>The business number's throughput, across the cluster: Meta's default is 80 messages per second.</summary>
    [Range(1, 1000)]
    public int MessagesPerSecond { get; init; } = 80;

    /// <summary>
    /// How far under <see cref="MessagesPerSecond"/> the send slots are spaced, in per cent: room for a call that leaves
    /// some milliseconds after its slot and for the network's jitter (see docs/outbound.md).
    /// </summary>
    [Range(0, 50)]
    public double ThroughputMarginPercent { get; init; } = 4;

    /// <summary>
    /// The approved utility template that goes out when staff reply after the 24-hour window closed: it asks the
    /// citizen to write back, and the held reply follows when they do. Without it such replies wait for the citizen.
    /// </summary>
    public WindowTemplateOptions? WindowTemplate { get; init; }

    /// <summary>
    /// Ready-made replies staff pick from (in the administration's name); <c>{name}</c> stands for the citizen's
    /// profile name.
    /// </summary>
    public List<CannedReplyOptions> CannedReplies { get; init; } = [];

    /// <summary>The tenant's broadcast lists by id (lower case, digits and '-', e.g. <c>kitzrettung</c>).</summary>
    public Dictionary<string, BroadcastListOptions> Lists { get; init; } = [];

    /// <summary>
    /// Meta's messaging limit of the business number: unique recipients outside their 24-hour window per moving
    /// 24 hours (250, 2,000, 10,000, 100,000); null: unlimited. Broadcasts larger than what is left wait for the
    /// following days.
    /// </summary>
    [Range(1, 100_000)]
    public int? MessagingLimit { get; init; } = 250;

    /// <summary>How long resolved conversations and audit entries are kept (see docs/datenschutz.md).</summary>
    public RetentionOptions Retention { get; init; } = new();

    /// <summary>Who the duty phone rings, and when (see docs/web-inbox.md, "Bereitschaft").</summary>
    public DutyOptions Duty { get; init; } = new();

    /// <summary>
    /// The services requests are made for, by Open311 <c>service_code</c> (lower case, digits and '-'); empty: one per
    /// category of the town's own list (see docs/requests.md).
    /// </summary>
    public Dictionary<string, ServiceOptions> Services { get; init; } = [];

    /// <summary>The departments that do the work, by id (e.g. <c>bauhof</c>, <c>ordnungsamt</c>).</summary>
    public Dictionary<string, DepartmentOptions> Departments { get; init; } = [];

    /// <summary>
    /// What the citizen is told when their request is done or rejected, by language (ISO 639-1); German by default.
    /// <c>{id}</c>, <c>{service}</c> and <c>{notes}</c> stand for the request's number, service and status notes.
    /// </summary>
    public Dictionary<string, RequestNoticeOptions> RequestNotices { get; init; } = [];

    /// <summary>The public Open311 GeoReport v2 API (see docs/requests.md).</summary>
    public Open311Options Open311 { get; init; } = new();

    /// <summary>
    /// The town's street and house-number list: a CSV file it supplies (<c>Straße;Hausnummer;Breite;Länge</c>), read
    /// by the gateway, offline. Addresses staff type for a request are matched against it. Empty: they give coordinates.
    /// </summary>
    public string? StreetListFile { get; init; }
}

/// <summary>A service of the request list (Open311's service definition).</summary>
public sealed class ServiceOptions
{
    /// <summary>The name citizens and the public list see, e.g. "Spielplatz beschädigt".</summary>
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    /// <summary>The conversation category it belongs to (staff making a request from a conversation get it proposed).</summary>
    public string? Category { get; init; }

    /// <summary>The department it goes to (a key of <see cref="TenantOptions.Departments"/>).</summary>
    public string Department { get; init; } = "";

    /// <summary>How many of the town's working days the department usually takes (the request's expected date).</summary>
    [Range(0, 365)]
    public int TurnaroundWorkingDays { get; init; } = 5;

    /// <summary>Open311 keywords (comma separated in the API).</summary>
    public List<string> Keywords { get; init; } = [];
}

/// <summary>A request's outcome in one language: the text inside the window, the approved templates outside it.</summary>
public sealed class RequestNoticeOptions
{
    [MaxLength(4096)]
    public string? DoneText { get; init; }

    [MaxLength(4096)]
    public string? RejectedText { get; init; }

    /// <summary>The approved utility template for "done" (body parameters may hold <c>{id}</c> and <c>{service}</c>).</summary>
    public WindowTemplateOptions? DoneTemplate { get; init; }

    public WindowTemplateOptions? RejectedTemplate { get; init; }
}

/// <summary>A department: who gets the requests of its services.</summary>
public sealed class DepartmentOptions
{
    public string Name { get; init; } = "";

    /// <summary>Where its requests are sent (a link and what the work needs, no citizen data).</summary>
    public string? Email { get; init; }
}

/// <summary>The public Open311 API of one tenant.</summary>
public sealed class Open311Options
{
    /// <summary>The <c>jurisdiction_id</c> clients name (e.g. <c>goldbach.de</c>); optional when one tenant answers.</summary>
    public string? Jurisdiction { get; init; }

    /// <summary>
    /// The SHA-256 hashes (hex) of the API keys that may <c>POST requests</c> (the town's web form, a regional
    /// Mängelmelder); the keys themselves are never stored.
    /// </summary>
    public List<string> ApiKeyHashes { get; init; } = [];
}

/// <summary>
/// The duty service of one tenant: what rings, the escalation of an urgent conversation nobody opens, and the
/// WhatsApp notice for a phone without web push. The rota itself is edited by supervisors in the web inbox.
/// </summary>
public sealed class DutyOptions
{
    /// <summary>An urgent conversation nobody opened rings again after this long, then the next on the rota, then the supervisors.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan EscalateAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>During office hours a new (not urgent) conversation rings the office too; default: it does not.</summary>
    public bool NotifyNewConversationsInOfficeHours { get; init; }

    /// <summary>
    /// The approved utility template sent to an on-duty staff member's own number when no push reached them: it says
    /// only that something waits in the inbox (no citizen data), at most once per conversation.
    /// </summary>
    public WindowTemplateOptions? FallbackTemplate { get; init; }
}

/// <summary>
/// The tenant's retention periods in days, applied daily: a conversation resolved longer ago than its category's
/// period is erased (a list member keeps membership and consent); audit entries older than theirs are deleted.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Days a resolved conversation is kept after it was resolved; 0: kept until erased on request.</summary>
    [Range(0, 3650)]
    public int ResolvedConversationDays { get; init; } = 180;

    /// <summary>Other periods for some categories (e.g. <c>"Parken": 90</c>); 0: kept until erased on request.</summary>
    public Dictionary<string, int> CategoryDays { get; init; } = [];

    /// <summary>
    /// The same as a list (<c>Categories:{n}:Category</c>, <c>Categories:{n}:Days</c>), for configuration whose keys
    /// cannot hold a category's name: Kubernetes ConfigMap keys and environment variables allow no ß, ü, space or
    /// <c>/</c>. An entry here wins over <see cref="CategoryDays"/>.
    /// </summary>
    public List<CategoryRetentionOptions> Categories { get; init; } = [];

    /// <summary>Every category's own period, from both forms.</summary>
    public IReadOnlyDictionary<string, int> PeriodsByCategory()
    {
        var periods = new Dictionary<string, int>(CategoryDays, StringComparer.Ordinal);
        foreach (var entry in Categories)
        {
            periods[entry.Category] = entry.Days;
        }
        return periods;
    }

    /// <summary>Days an audit entry is kept; 0: kept for good.</summary>
    [Range(0, 3650)]
    public int AuditEntryDays { get; init; } = 730;
}

/// <summary>One category's retention period, as a list entry (see <see cref="RetentionOptions.Categories"/>).</summary>
public sealed class CategoryRetentionOptions
{
    [Required]
    public string Category { get; init; } = "";

    /// <summary>Days a resolved conversation of this category is kept; 0: kept until erased on request.</summary>
    public int Days { get; init; }
}

/// <summary>A ready-made reply: a short title for the list and the text.</summary>
public sealed class CannedReplyOptions
{
    [Required, MaxLength(80)]
    public string Title { get; init; } = "";

    [Required, MaxLength(4096)]
    public string Text { get; init; } = "";
}

/// <summary>An approved WhatsApp template: name, language code and body parameters.</summary>
public sealed class WindowTemplateOptions
{
    [Required, RegularExpression("^[a-z0-9_]{1,512}$")]
    public string Name { get; init; } = "";

    [Required, RegularExpression("^[a-z]{2,3}(_[A-Z]{2})?$")]
    public string Language { get; init; } = "de";

    /// <summary>The body's parameters in order (for example the town's name).</summary>
    public List<string> BodyParameters { get; init; } = [];
}

/// <summary>The acknowledgement texts in one language besides German.</summary>
public sealed class LocalizedAcknowledgement
{
    [Required, MaxLength(4096)]
    public string AcknowledgementText { get; init; } = "";

    /// <summary>Outside office hours; <c>{next}</c> names the next opening in this language.</summary>
    [MaxLength(4000)]
    public string? OutOfHoursAcknowledgementText { get; init; }

    /// <summary>When the first message reports danger (112 or 110 at once); without it the built-in text of this language.</summary>
    [MaxLength(4096)]
    public string? UrgentAcknowledgementText { get; init; }
}

/// <summary>A token bucket: up to <see cref="Burst"/> at once, then one every <see cref="Every"/>.</summary>
public sealed class RateLimitOptions
{
    [Range(1, 10_000)]
    public int Burst { get; init; } = 1;

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan Every { get; init; } = TimeSpan.FromSeconds(1);
}
