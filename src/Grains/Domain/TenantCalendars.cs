using System.Collections.Concurrent;
using GoldbachActors.Contracts.Configuration;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Domain;

/// <summary>Each tenant's <see cref="OfficeHours"/>, built once from its configuration.</summary>
public sealed class TenantCalendars(IOptions<GoldbachOptions> options)
{
    private readonly ConcurrentDictionary<string, OfficeHours?> _calendars = new();

    /// <summary>The tenant's office hours, or null when none are configured (then it is never "out of hours").</summary>
    public OfficeHours? For(string tenant) => _calendars.GetOrAdd(tenant, key =>
        options.Value.Find(key) is { OfficeHours.Count: > 0 } settings
            ? new OfficeHours(OfficeHours.ParseWeek(settings.OfficeHours), settings.ClosedDays, OfficeHours.Berlin)
            : null);
}

/// <summary>Which acknowledgement a new conversation gets: the out-of-hours one names when the town hall answers.</summary>
public static class AcknowledgementTexts
{
    public const string NextOpeningPlaceholder = "{next}";

    public static string Choose(TenantOptions tenant, OfficeHours? hours, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (hours is null || tenant.OutOfHoursAcknowledgementText is not { } outOfHours || hours.IsOpenAt(now)
            || hours.NextOpeningAfter(now) is not { } next)
        {
            return tenant.AcknowledgementText;
        }
        return outOfHours.Replace(NextOpeningPlaceholder, OfficeHours.DescribeGerman(next), StringComparison.Ordinal);
    }
}

/// <summary>Refuses an office-hours configuration that does not parse, at start-up, naming the tenant.</summary>
public sealed class OfficeHoursValidator : IValidateOptions<GoldbachOptions>
{
    public ValidateOptionsResult Validate(string? name, GoldbachOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (tenant, settings) in options.Tenants)
        {
            try
            {
                OfficeHours.ParseWeek(settings.OfficeHours);
            }
            catch (FormatException ex)
            {
                failures.Add($"Goldbach:Tenants:{tenant}:OfficeHours: {ex.Message}");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
