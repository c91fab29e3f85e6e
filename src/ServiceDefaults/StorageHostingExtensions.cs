using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoldbachActors.ServiceDefaults;

/// <summary>The Azure Storage account every host uses (locally Azurite).</summary>
public static class StorageHostingExtensions
{
    /// <summary>The connection string's name: <c>ConnectionStrings:Storage</c>.</summary>
    public const string ConnectionStringName = "Storage";

    /// <summary>
    /// Registers a <see cref="TableServiceClient"/> and a <see cref="BlobServiceClient"/> for
    /// <c>ConnectionStrings:Storage</c> (for Azurite:
    /// <c>UseDevelopmentStorage=true</c> or an explicit emulator connection string).
    /// </summary>
    public static TableServiceClient AddGoldbachStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Storage is not set. Set it to the storage account's connection string " +
                "(environment variable ConnectionStrings__Storage), or to UseDevelopmentStorage=true for Azurite.");
        }
        // Every round trip is counted (goldbach.storage.requests): what a message costs in storage calls.
        var client = new TableServiceClient(connectionString, StorageRequestCounter.ForTables());
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton(new BlobServiceClient(connectionString, StorageRequestCounter.ForBlobs()));
        builder.AddStorageReadiness();
        // Before Orleans' own start (registered after this), which fails when storage does not answer.
        builder.Services.AddSingleton<StorageHealthCheck>();
        builder.Services.AddHostedService<StorageStartupGate>();
        return client;
    }
}
