using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace GoldbachActors.ServiceDefaults;

/// <summary>
/// Counts every round trip to Azure Storage (retries included) as <c>goldbach.storage.requests</c>, by service
/// (table, blob), table, HTTP method and the account's endpoint: how many storage calls a message costs, for operators and benchmarks alike.
/// Only the table's name is taken from the address, never a key (a key is a citizen's identity).
/// </summary>
public sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    /// <summary>The instrument's name.</summary>
    public const string InstrumentName = "goldbach.storage.requests";

    // A static meter: the storage clients are built before the service provider exists. The name is our meter's, so
    // OpenTelemetry exports it with the others.
    private static readonly Meter Meter = new(Contracts.Diagnostics.GoldbachActivity.MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(InstrumentName, "{request}", "Round trips to Azure Storage, retries included");

    private readonly string _service;

    private StorageRequestCounter(string service) => _service = service;

    /// <summary>Table client options that count their requests.</summary>
    public static Azure.Data.Tables.TableClientOptions ForTables()
    {
        var options = new Azure.Data.Tables.TableClientOptions();
        options.AddPolicy(new StorageRequestCounter("table"), HttpPipelinePosition.PerRetry);
        return options;
    }

    /// <summary>Blob client options that count their requests.</summary>
    public static Azure.Storage.Blobs.BlobClientOptions ForBlobs()
    {
        var options = new Azure.Storage.Blobs.BlobClientOptions();
        options.AddPolicy(new StorageRequestCounter("blob"), HttpPipelinePosition.PerRetry);
        return options;
    }

    public override void OnReceivedResponse(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var uri = message.Request.Uri;
        TagList tags = new()
        {
            { "service", _service },
            { "table", _service == "table" ? TableOf(uri.Path) : null },
            { "method", message.Request.Method.Method },
            // The account's endpoint (OpenTelemetry's server.address and server.port): one per storage account.
            { "server.address", uri.Host },
            { "server.port", uri.Port },
        };
        Requests.Add(1, tags);
    }

    /// <summary>
    /// The table a request addresses: the path's last segment up to its key, e.g. <c>Citizens</c> for
    /// <c>/devstoreaccount1/Citizens(PartitionKey='…',RowKey='…')</c>, <c>$batch</c> for a transaction.
    /// </summary>
    public static string TableOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segment = path.TrimEnd('/');
        segment = segment[(segment.LastIndexOf('/') + 1)..];
        var key = segment.IndexOf('(', StringComparison.Ordinal);
        return key >= 0 ? segment[..key] : segment;
    }
}
