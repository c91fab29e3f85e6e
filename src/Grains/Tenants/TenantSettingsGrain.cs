using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Tenants;

/// <summary>
/// A tenant's settings as durable, versioned state. The version is what staff front ends send back (optimistic
/// concurrency: a stale one is a conflict); the storage provider's ETag guards the write itself. Until the first save
/// the configuration's section is the settings, at version 0.
/// </summary>
public sealed class TenantSettingsGrain(
    [PersistentState("settings", StorageNames.Tenants)] IPersistentState<TenantSettingsState> state,
    IOptions<GoldbachOptions> configured,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(GoldbachClock.Key)] TimeProvider time) : Grain, ITenantSettingsGrain
{
    /// <summary>How many changes the grain keeps (older ones stay in the staff audit log's who and when).</summary>
    public const int HistoryLength = 50;

    // A changed setting's before and after are cut here, so that a long text does not make the history outgrow its row.
    private const int SectionLimit = 8_000;

    private string Tenant => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Document is not null)
        {
            await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).SetVersionAsync(Tenant, state.State.Version);
        }
    }

    public Task<TenantSettingsVersion?> GetAsync() => Task.FromResult(Current());

    public async Task<TenantSettingsUpdate> UpdateAsync(StaffActor by, long expectedVersion, string document)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (!by.IsAdmin)
        {
            throw new UnauthorizedAccessException("Die Einstellungen der Gemeinde ändern nur Administratoren.");
        }
        if (Current() is not { } current)
        {
            throw new KeyNotFoundException($"No tenant owns the phone_number_id '{Tenant}'.");
        }
        if (current.Version != expectedVersion)
        {
            return new(TenantSettingsOutcome.Conflict, current, []);
        }
        return await SaveAsync(by, current, document);
    }

    public async Task<TenantSettingsUpdate> CreateAsync(StaffActor by, string document, string firstAdmin)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (by.Role != StaffRoles.Operator)
        {
            throw new UnauthorizedAccessException("Gemeinden legt nur der Betrieb an (Rolle „operator“).");
        }
        if (Current() is { } current)
        {
            return new(TenantSettingsOutcome.Exists, current, []);
        }
        return await SaveAsync(by, null, document, $"Angelegt; erste Administration: {firstAdmin}");
    }

    public Task<AcknowledgementPreview> PreviewAsync(string? draft, DateTimeOffset at)
    {
        if (Policy(draft, out var errors) is not { } policy)
        {
            return Task.FromResult(new AcknowledgementPreview(false, null, [], errors));
        }
        var settings = policy.Options;
        var open = policy.Calendar?.IsOpenAt(at) ?? true;
        var next = open ? null : policy.Calendar?.NextOpeningAfter(at) is { } opening ? AcknowledgementTexts.DescribeOpening(opening, "de") : null;
        var texts = settings.Languages.Keys.Order(StringComparer.Ordinal).Prepend("de")
            .Select(language => new AcknowledgementPreviewText(
                language,
                AcknowledgementTexts.Choose(settings, policy.Calendar, at, language),
                AcknowledgementTexts.Choose(settings, policy.Calendar, at, language, urgent: true)))
            .ToList();
        return Task.FromResult(new AcknowledgementPreview(open, next, texts, []));
    }

    public Task<TriagePreview> TestTriageAsync(string? draft, string text)
    {
        if (Policy(draft, out var errors) is not { } policy)
        {
            return Task.FromResult(new TriagePreview("", false, null, errors));
        }
        var triage = policy.Triage.Assess(text);
        return Task.FromResult(new TriagePreview(triage.Category, triage.Urgent, CitizenLanguage.Detect(text), []));
    }

    public Task<IReadOnlyList<TenantSettingsChange>> GetHistoryAsync() =>
        Task.FromResult<IReadOnlyList<TenantSettingsChange>>([.. state.State.History]);

    private TenantSettingsVersion? Current()
    {
        if (state.State.Document is { } stored)
        {
            return new(state.State.Version, stored, state.State.ChangedAt);
        }
        return configured.Value.Find(Tenant) is { } seed ? new(0, TenantSettingsDocument.Serialize(seed), null) : null;
    }

    private async Task<TenantSettingsUpdate> SaveAsync(StaffActor by, TenantSettingsVersion? current, string document, string? note = null)
    {
        TenantOptions settings;
        try
        {
            settings = TenantSettingsDocument.Deserialize(document);
        }
        catch (FormatException ex)
        {
            return new(TenantSettingsOutcome.Invalid, current, [new SettingsFieldError("", ex.Message)]);
        }
        if (TenantSettingsRules.Validate(settings) is { Count: > 0 } errors)
        {
            return new(TenantSettingsOutcome.Invalid, current, errors);
        }
        // Stored in its normal form, so that the history compares like with like.
        var normal = TenantSettingsDocument.Serialize(settings);
        var before = current is null ? new Dictionary<string, string>() : TenantSettingsDocument.Sections(current.Document);
        var after = TenantSettingsDocument.Sections(normal);
        var changed = before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => new SettingsSectionChange(k, Cut(before.GetValueOrDefault(k)), Cut(after.GetValueOrDefault(k))))
            .ToList();
        if (current is not null && changed.Count == 0)
        {
            return new(TenantSettingsOutcome.Unchanged, current, []);
        }
        var now = time.GetUtcNow();
        var version = (current?.Version ?? 0) + 1;
        state.State.Version = version;
        state.State.Document = normal;
        state.State.ChangedAt = now;
        state.State.History.Insert(0, new TenantSettingsChange(version, now, by.StaffId, changed, note));
        if (state.State.History.Count > HistoryLength)
        {
            state.State.History.RemoveRange(HistoryLength, state.State.History.Count - HistoryLength);
        }
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Nothing was saved (storage down, or another activation wrote first): forget the change, keep what is stored.
            await state.ReadStateAsync();
            throw;
        }
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).SetVersionAsync(Tenant, version);
        return new(TenantSettingsOutcome.Saved, Current(), []);
    }

    // The rules of a draft, or of the current settings; null (with the errors) when the draft cannot be used.
    private TenantPolicy? Policy(string? draft, out IReadOnlyList<SettingsFieldError> errors)
    {
        errors = [];
        var document = draft ?? Current()?.Document ?? throw new KeyNotFoundException($"No tenant owns the phone_number_id '{Tenant}'.");
        TenantOptions settings;
        try
        {
            settings = TenantSettingsDocument.Deserialize(document);
        }
        catch (FormatException ex)
        {
            errors = [new SettingsFieldError("", ex.Message)];
            return null;
        }
        errors = TenantSettingsRules.Validate(settings);
        return errors.Count == 0 ? TenantPolicies.For(settings) : null;
    }

    private static string? Cut(string? section) =>
        section is { Length: > SectionLimit } ? section[..SectionLimit] + "…" : section;
}
