using System.ComponentModel.DataAnnotations;
using GoldbachActors.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Contracts.Configuration;

/// <summary>Checks the tenant configuration at start-up and says exactly which value is wrong.</summary>
public sealed class GoldbachOptionsValidator : IValidateOptions<GoldbachOptions>
{
    public ValidateOptionsResult Validate(string? name, GoldbachOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Tenants.Count == 0)
        {
            failures.Add("Goldbach:Tenants is empty: configure at least one WhatsApp phone_number_id.");
        }
        foreach (var (tenant, settings) in options.Tenants)
        {
            if (!TenantId.IsValid(tenant))
            {
                failures.Add($"Goldbach:Tenants:{tenant}: a tenant key is the WhatsApp phone_number_id (1 to 32 digits).");
            }
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"Goldbach:Tenants:{tenant}: {r.ErrorMessage}"));
            }
        }
        var backups = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options.Backups, new ValidationContext(options.Backups), backups, validateAllProperties: true))
        {
            failures.AddRange(backups.Select(r => $"Goldbach:Backups: {r.ErrorMessage}"));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Registers the tenant configuration the same way in every host.</summary>
public static class TenantConfigurationExtensions
{
    /// <summary>
    /// Binds <see cref="GoldbachOptions"/> from the section <c>Goldbach</c> and validates it at start-up, and keeps the
    /// stored settings that supersede it (<see cref="TenantSettingsCache"/>).
    /// </summary>
    public static IServiceCollection AddGoldbachTenants(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GoldbachOptions>()
            .Bind(configuration.GetSection(GoldbachOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<GoldbachOptions>, GoldbachOptionsValidator>();
        services.AddOptions<SettingsOptions>().Bind(configuration.GetSection(SettingsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<TenantSettingsCache>();
        services.AddHostedService(sp => sp.GetRequiredService<TenantSettingsCache>());
        return services;
    }
}
