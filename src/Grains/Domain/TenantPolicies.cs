using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using Microsoft.Extensions.Options;
using PhoneNumbers;

namespace GoldbachActors.Grains.Domain;

/// <summary>One tenant's rules, built once from its configuration: calendar, triage, staff numbers, limits.</summary>
public sealed class TenantPolicy
{
    private readonly FrozenSet<string> _staff;

    internal TenantPolicy(TenantOptions options)
    {
        Options = options;
        Calendar = options.OfficeHours.Count > 0
            ? new OfficeHours(OfficeHours.ParseWeek(options.OfficeHours), options.ClosedDays, OfficeHours.Berlin)
            : null;
        Triage = new Triage(
            options.Categories.Count > 0 ? options.Categories.ToDictionary(c => c.Key, c => c.Value.ToArray()) : null,
            options.DangerWords.Count > 0 ? options.DangerWords : null);
        Rules = ConversationRules.For(options);
        _staff = options.StaffNumbers.Select(StaffIdentities.Normalize).ToFrozenSet(StringComparer.Ordinal);
        Consent = new ConsentKeywords(options.Lists);
        Retention = new RetentionRules(options.Retention);
        Duty = new DutyRules(Calendar, options.Duty);
    }

    /// <summary>Who the duty phone rings, and when.</summary>
    public DutyRules Duty { get; }

    /// <summary>Whether this number (E.164 with "+") is one of the town's staff numbers.</summary>
    public bool IsStaffNumber(string phoneNumber)
    {
        try
        {
            return _staff.Contains(StaffIdentities.Normalize(phoneNumber));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>How long resolved conversations and audit entries are kept.</summary>
    public RetentionRules Retention { get; }

    /// <summary>The join keywords of the tenant's lists and the stop words.</summary>
    public ConsentKeywords Consent { get; }

    public TenantOptions Options { get; }

    /// <summary>The office hours, or null when none are configured (then it is never "out of hours").</summary>
    public OfficeHours? Calendar { get; }

    public Triage Triage { get; }

    public ConversationRules Rules { get; }

    /// <summary>The categories staff may choose: the configured ones (or the defaults) and "Sonstiges".</summary>
    public IReadOnlyCollection<string> Categories => Triage.Categories;

    /// <summary>Whether a sender is one of the town's own staff numbers (by number or by WhatsApp user id).</summary>
    public bool IsStaff(CitizenKey key, string? phoneNumber) =>
        _staff.Contains(key.Identity) || (phoneNumber is not null && _staff.Contains(phoneNumber));
}

/// <summary>Each tenant's <see cref="TenantPolicy"/>, built on first use.</summary>
public sealed class TenantPolicies(IOptions<GoldbachOptions> options)
{
    private readonly ConcurrentDictionary<string, TenantPolicy?> _policies = new();

    /// <summary>The tenant's policy, or null when no tenant owns this <c>phone_number_id</c>.</summary>
    public TenantPolicy? Find(string tenant) => _policies.GetOrAdd(tenant, key =>
        options.Value.Find(key) is { } settings ? new TenantPolicy(settings) : null);
}

/// <summary>Staff numbers as written in configuration ("+49 151 2345678"), in the form WhatsApp sends them.</summary>
public static class StaffIdentities
{
    /// <summary>A number in E.164 with "+", or a WhatsApp user id unchanged.</summary>
    /// <exception cref="FormatException">Neither a valid phone number nor a WhatsApp user id.</exception>
    public static string Normalize(string configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var trimmed = configured.Trim();
        if (CitizenKey.IsValidIdentity(trimmed) && !trimmed.All(char.IsAsciiDigit))
        {
            return trimmed;
        }
        try
        {
            var util = PhoneNumberUtil.GetInstance();
            var number = util.Parse(trimmed.StartsWith('+') ? trimmed : "+" + trimmed, null);
            if (!util.IsValidNumber(number))
            {
                throw new FormatException($"'{Mask(trimmed)}' is not a valid phone number.");
            }
            return util.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException ex)
        {
            throw new FormatException($"'{Mask(trimmed)}' is neither a phone number in international form (+49…) nor a WhatsApp user id: {ex.Message}", ex);
        }
    }

    // Validation messages end up in logs: show only the end of a number.
    private static string Mask(string value) => value.Length <= 3 ? "***" : "…" + value[^3..];
}

/// <summary>
/// Refuses tenant rules that do not work, at start-up, naming the tenant and the value: office hours that do not
/// parse, invalid staff numbers, empty categories, unknown languages, bad limits.
/// </summary>
public sealed class TenantPolicyValidator : IValidateOptions<GoldbachOptions>
{
    public ValidateOptionsResult Validate(string? name, GoldbachOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (tenant, settings) in options.Tenants)
        {
            var prefix = $"Goldbach:Tenants:{tenant}";
            try
            {
                OfficeHours.ParseWeek(settings.OfficeHours);
            }
            catch (FormatException ex)
            {
                failures.Add($"{prefix}:OfficeHours: {ex.Message}");
            }
            for (var i = 0; i < settings.StaffNumbers.Count; i++)
            {
                try
                {
                    StaffIdentities.Normalize(settings.StaffNumbers[i]);
                }
                catch (FormatException ex)
                {
                    failures.Add($"{prefix}:StaffNumbers:{i}: {ex.Message}");
                }
            }
            foreach (var (category, stems) in settings.Categories)
            {
                if (string.IsNullOrWhiteSpace(category) || category.Length > 60)
                {
                    failures.Add($"{prefix}:Categories: a category name has 1 to 60 characters ('{category}').");
                }
                if (stems.Any(string.IsNullOrWhiteSpace))
                {
                    failures.Add($"{prefix}:Categories:{category}: a keyword is empty.");
                }
            }
            if (settings.DangerWords.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{prefix}:DangerWords: a danger word is empty.");
            }
            foreach (var (language, texts) in settings.Languages)
            {
                if (language.Length != 2 || !language.All(char.IsAsciiLetterLower))
                {
                    failures.Add($"{prefix}:Languages:{language}: a language is its two-letter ISO 639-1 code in lower case (\"en\", \"uk\").");
                }
                Check(texts, $"{prefix}:Languages:{language}");
            }
            Check(settings.FloodLimit, $"{prefix}:FloodLimit");
            for (var i = 0; i < settings.CannedReplies.Count; i++)
            {
                Check(settings.CannedReplies[i], $"{prefix}:CannedReplies:{i}");
            }
            if (settings.WindowTemplate is { } template)
            {
                Check(template, $"{prefix}:WindowTemplate");
            }
            Check(settings.OutboundPerRecipient, $"{prefix}:OutboundPerRecipient");
            Check(settings.Retention, $"{prefix}:Retention");
            var categories = new Triage(
                settings.Categories.Count > 0 ? settings.Categories.ToDictionary(c => c.Key, c => c.Value.ToArray()) : null, null).Categories;
            foreach (var (category, days) in settings.Retention.CategoryDays)
            {
                if (!categories.Contains(category) || days is < 0 or > 3650)
                {
                    failures.Add($"{prefix}:Retention:CategoryDays:{category}: a period is 0 to 3,650 days for one of the tenant's categories ({string.Join(", ", categories)}).");
                }
            }
            for (var i = 0; i < settings.Retention.Categories.Count; i++)
            {
                var entry = settings.Retention.Categories[i];
                if (!categories.Contains(entry.Category) || entry.Days is < 0 or > 3650)
                {
                    failures.Add($"{prefix}:Retention:Categories:{i}: a period is 0 to 3,650 days for one of the tenant's categories ({string.Join(", ", categories)}); '{entry.Category}' = {entry.Days}.");
                }
            }
            ValidateLists(settings, $"{prefix}:Lists", failures, Check);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(object value, string path)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"{path}: {r.ErrorMessage}"));
            }
        }
    }

    private static void ValidateLists(TenantOptions settings, string prefix, List<string> failures, Action<object, string> check)
    {
        foreach (var (listId, list) in settings.Lists)
        {
            var path = $"{prefix}:{listId}";
            if (!ListIds.IsValid(listId))
            {
                failures.Add($"{path}: a list id has 1 to 40 lower-case letters, digits or '-' (\"kitzrettung\").");
            }
            check(list, path);
            foreach (var language in list.Languages.Concat(list.Keywords.Keys).Concat(list.Templates.Keys))
            {
                if (language.Length != 2 || !language.All(char.IsAsciiLetterLower))
                {
                    failures.Add($"{path}: '{language}' is no two-letter ISO 639-1 code in lower case.");
                }
            }
            foreach (var (language, template) in list.Templates)
            {
                check(template, $"{path}:Templates:{language}");
            }
        }
        try
        {
            _ = new ConsentKeywords(settings.Lists);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{prefix}: {ex.Message}");
        }
    }
}
