namespace GoldbachActors.Contracts;

/// <summary>
/// One tenant's settings (texts, office hours, categories, staff numbers, lists, limits) as durable, versioned state
/// that admins change at run time. Keyed by the tenant's <c>phone_number_id</c>. Until an admin first saves, the
/// tenant's configuration section is its settings (version 0): configuration only seeds a tenant.
/// </summary>
[Alias("goldbach.ITenantSettingsGrain")]
public interface ITenantSettingsGrain : IGrainWithStringKey
{
    /// <summary>The current settings, or null when the tenant is neither stored nor configured.</summary>
    [Alias("Get")]
    Task<TenantSettingsVersion?> GetAsync();

    /// <summary>
    /// Saves <paramref name="document"/> (the JSON of the tenant's settings) if <paramref name="expectedVersion"/> is
    /// still the current version and every field is valid; otherwise saves nothing and says why.
    /// </summary>
    [Alias("Update")]
    Task<TenantSettingsUpdate> UpdateAsync(StaffActor by, long expectedVersion, string document);

    /// <summary>
    /// Creates a tenant with its first settings (an operator's call), naming its first admin (their staff id at the
    /// provider) in the history; refused when the tenant exists, stored or configured.
    /// </summary>
    [Alias("Create")]
    Task<TenantSettingsUpdate> CreateAsync(StaffActor by, string document, string firstAdmin);

    /// <summary>
    /// What a citizen writing at <paramref name="at"/> would get as acknowledgement in each language (with
    /// <c>{next}</c> filled in), from <paramref name="draft"/> (unsaved settings) or, when null, the current ones.
    /// </summary>
    [Alias("Preview")]
    Task<AcknowledgementPreview> PreviewAsync(string? draft, DateTimeOffset at);

    /// <summary>The category and urgency triage gives <paramref name="text"/>, under <paramref name="draft"/> or the current settings.</summary>
    [Alias("TestTriage")]
    Task<TriagePreview> TestTriageAsync(string? draft, string text);

    /// <summary>The changes, newest first: who, when, and each changed setting before and after.</summary>
    [Alias("GetHistory")]
    Task<IReadOnlyList<TenantSettingsChange>> GetHistoryAsync();
}

/// <summary>One version of a tenant's settings.</summary>
/// <param name="Version">0 for the configuration's seed, then 1, 2, … with each save.</param>
/// <param name="Document">The settings as JSON, in the shape of the configuration section.</param>
/// <param name="ChangedAt">When it was saved (null for the seed).</param>
[GenerateSerializer, Immutable, Alias("goldbach.TenantSettingsVersion")]
public sealed record TenantSettingsVersion(
    [property: Id(0)] long Version,
    [property: Id(1)] string Document,
    [property: Id(2)] DateTimeOffset? ChangedAt);

/// <summary>The acknowledgements of each language at one moment, or the draft's errors.</summary>
/// <param name="Open">Whether the town hall is open at that moment.</param>
/// <param name="NextOpening">The next opening after it, in German ("Montag, 2. Juni ab 8:00 Uhr"), or null.</param>
/// <param name="Texts">German first, then the tenant's other languages.</param>
/// <param name="Errors">Why a draft could not be previewed (then nothing else is set).</param>
[GenerateSerializer, Immutable, Alias("goldbach.AcknowledgementPreview")]
public sealed record AcknowledgementPreview(
    [property: Id(0)] bool Open,
    [property: Id(1)] string? NextOpening,
    [property: Id(2)] IReadOnlyList<AcknowledgementPreviewText> Texts,
    [property: Id(3)] IReadOnlyList<SettingsFieldError> Errors);

/// <summary>One language's acknowledgement as sent at the preview's moment, and its urgent variant.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.AcknowledgementPreviewText")]
public sealed record AcknowledgementPreviewText(
    [property: Id(0)] string Language,
    [property: Id(1)] string Text,
    [property: Id(2)] string UrgentText);

/// <summary>What triage makes of a test message: the category, whether it is urgent, the language it detects.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.TriagePreview")]
public sealed record TriagePreview(
    [property: Id(0)] string Category,
    [property: Id(1)] bool Urgent,
    [property: Id(2)] string? Language,
    [property: Id(3)] IReadOnlyList<SettingsFieldError> Errors);

/// <summary>The outcome of a save.</summary>
[GenerateSerializer, Alias("goldbach.TenantSettingsOutcome")]
public enum TenantSettingsOutcome
{
    Saved,
    Invalid,
    Conflict,
    Exists,
    Unchanged,
}

/// <summary>What a save did: the version now current, and the field errors when it was refused as invalid.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.TenantSettingsUpdate")]
public sealed record TenantSettingsUpdate(
    [property: Id(0)] TenantSettingsOutcome Outcome,
    [property: Id(1)] TenantSettingsVersion? Current,
    [property: Id(2)] IReadOnlyList<SettingsFieldError> Errors);

/// <summary>A field that is not valid: its path in the document (<c>OfficeHours:Monday</c>) and a German message.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.SettingsFieldError")]
public sealed record SettingsFieldError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Message);

/// <summary>One saved change: who (internal only), when, and each changed top-level setting before and after (JSON).</summary>
/// <param name="Version">The version the change made.</param>
/// <param name="At">When it was saved.</param>
/// <param name="StaffId">Who saved it.</param>
/// <param name="Sections">Each changed top-level setting.</param>
/// <param name="Note">What else the change did, e.g. who the new tenant's first admin is.</param>
[GenerateSerializer, Immutable, Alias("goldbach.TenantSettingsChange")]
public sealed record TenantSettingsChange(
    [property: Id(0)] long Version,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string StaffId,
    [property: Id(3)] IReadOnlyList<SettingsSectionChange> Sections,
    [property: Id(4)] string? Note = null);

/// <summary>One top-level setting as it was and as it became (null: absent).</summary>
[GenerateSerializer, Immutable, Alias("goldbach.SettingsSectionChange")]
public sealed record SettingsSectionChange(
    [property: Id(0)] string Section,
    [property: Id(1)] string? Before,
    [property: Id(2)] string? After);

/// <summary>
/// The versions of every stored tenant's settings, in one place, so that each silo and gateway polls one small call
/// to learn what changed (key: <see cref="Key"/>).
/// </summary>
[Alias("goldbach.ITenantDirectoryGrain")]
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>The stored tenants and their current settings version.</summary>
    [Alias("GetVersions")]
    Task<IReadOnlyDictionary<string, long>> GetVersionsAsync();

    /// <summary>Records a tenant's new version (a lower one than known is ignored).</summary>
    [Alias("SetVersion")]
    Task SetVersionAsync(string tenant, long version);
}
