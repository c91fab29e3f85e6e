using Azure.Data.Tables;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Inbox;
using GoldbachActors.Grains.Media;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains;

/// <summary>Registers what the grains depend on: tenant configuration, the Graph API sender, the inbox index.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the grains' services. Needs a <see cref="TableServiceClient"/> and a
    /// <see cref="Azure.Storage.Blobs.BlobServiceClient"/> registered by the host (the silo's storage configuration).
    /// </summary>
    public static IServiceCollection AddGoldbachGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddTimeProvider();
        services.AddGoldbachTenants(configuration);

        services.AddGraphApiSender(configuration);

        services.AddDutyServices(configuration);
        services.AddOptions<Requests.DepartmentMailOptions>()
            .Bind(configuration.GetSection(Requests.DepartmentMailOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<Requests.IDepartmentMailer, Requests.SmtpDepartmentMailer>();
        services.AddSingleton<MediaDownloader>();
        services.AddSingleton<Telemetry.GoldbachMetrics>();
        services.AddSingleton<TenantPolicies>();
        services.AddSingleton<IValidateOptions<GoldbachOptions>, TenantPolicyValidator>();
        services.AddSingleton<IConversationIndexStore>(
            sp => new AzureTableConversationIndexStore(sp.GetRequiredService<TableServiceClient>()));
        services.AddSingleton<IConversationHistoryStore>(sp => new AzureTableConversationHistoryStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<Orleans.Serialization.Serializer<Contracts.HistoryPage>>()));
        services.AddSingleton<Audit.IAuditLog>(sp => new Audit.StaffAuditLog(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Privacy.RetentionScheduler>();
        services.AddSingleton<Privacy.AzureTableErasureTombstones>();
        services.AddSingleton<Privacy.IErasureTombstones>(sp => sp.GetRequiredService<Privacy.AzureTableErasureTombstones>());
        services.AddSingleton<Broadcasts.IBroadcastStore>(sp => new Broadcasts.AzureTableBroadcastStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<Orleans.Serialization.Serializer<Contracts.BroadcastProgress>>()));
        services.AddSingleton<Privacy.ErasureSweep>();
        services.AddSingleton<Outbound.IOutboxRegistryStore>(sp => new Outbound.AzureTableOutboxRegistryStore(sp.GetRequiredService<TableServiceClient>()));
        services.AddSingleton<Requests.IServiceRequestStore>(sp => new Requests.AzureTableServiceRequestStore(sp.GetRequiredService<TableServiceClient>()));
        services.AddCitizenGrainServices();
        return services;
    }

    /// <summary>The duty service's Web Push sender (<c>Goldbach:Push</c>) on an HttpClient with a resilience pipeline.</summary>
    public static IServiceCollection AddDutyServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Duty.WebPushOptions>()
            .Bind(configuration.GetSection(Duty.WebPushOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Retries live in the sender: the library's encrypted content is written once, so each attempt builds its own request.
        services.AddHttpClient<Duty.WebPushSender>();
        return services;
    }

    /// <summary>What the citizen grain is built from besides its state, the tenants and the clock (each registered once).</summary>
    public static IServiceCollection AddCitizenGrainServices(this IServiceCollection services)
    {
        services.TryAddSingleton<Outbound.OutboundChannel>();
        services.TryAddSingleton<Citizens.CitizenStores>();
        services.TryAddSingleton<Citizens.CitizenDiagnostics>();
        return services;
    }

    /// <summary>The conversation rules' clock (see <see cref="GoldbachClock"/>): the host's TimeProvider unless one is registered.</summary>
    public static IServiceCollection AddGoldbachClock(this IServiceCollection services)
    {
        services.TryAddKeyedSingleton<TimeProvider>(GoldbachClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
        services.AddGoldbachClock();
    }
}
