using Azure.Data.Tables;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.Inbox;
using GoldbachActors.Grains.Media;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

        services.AddSingleton<MediaDownloader>();
        services.AddSingleton<TenantCalendars>();
        services.AddSingleton(new Triage());
        services.AddSingleton<IValidateOptions<GoldbachOptions>, OfficeHoursValidator>();
        services.AddSingleton<IConversationIndexStore>(
            sp => new AzureTableConversationIndexStore(sp.GetRequiredService<TableServiceClient>()));
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
