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

/// <summary>
/// Each tenant's <see cref="TenantPolicy"/>, built from the settings the silo holds now (<see cref="TenantSettingsCache"/>)
/// and rebuilt when an admin's change arrives.
/// </summary>
public sealed class TenantPolicies(TenantSettingsCache settings)
{
    private readonly ConcurrentDictionary<string, TenantPolicy> _policies = new(StringComparer.Ordinal);

    /// <summary>The tenant's policy, or null when no tenant owns this <c>phone_number_id</c>.</summary>
    public TenantPolicy? Find(string tenant)
    {
        if (settings.Find(tenant) is not { } current)
        {
            return null;
        }
        if (_policies.TryGetValue(tenant, out var policy) && ReferenceEquals(policy.Options, current))
        {
            return policy;
        }
        policy = new TenantPolicy(current);
        _policies[tenant] = policy;
        return policy;
    }

    /// <summary>The policy of settings that are not (yet) a tenant's: an acknowledgement preview, a triage test of a draft.</summary>
    public static TenantPolicy For(TenantOptions draft) => new(draft);
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
/// Refuses configured tenant settings that do not work, at start-up, naming the tenant and the field; the rules are
/// the ones every save in the web inbox passes (<see cref="TenantSettingsRules"/>).
/// </summary>
public sealed class TenantPolicyValidator : IValidateOptions<GoldbachOptions>
{
    public ValidateOptionsResult Validate(string? name, GoldbachOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Tenants
            .SelectMany(t => TenantSettingsRules.Validate(t.Value).Select(e => $"Goldbach:Tenants:{t.Key}:{e.Field}: {e.Message}"))
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
