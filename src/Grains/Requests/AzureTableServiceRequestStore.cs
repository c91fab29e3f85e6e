using System.Text.Json;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;

namespace GoldbachActors.Grains.Requests;

/// <summary>Where a tenant's requests are kept.</summary>
public interface IServiceRequestStore
{
    Task<IReadOnlyList<(ServiceRequest Request, string? ClientRequestId)>> LoadAsync(string tenant, CancellationToken cancellationToken);

    Task SaveAsync(ServiceRequest request, string? clientRequestId, CancellationToken cancellationToken);
}

/// <summary>
/// Azure Table <c>ServiceRequests</c>: partition = tenant, row = the request's number, the request as JSON (a town
/// makes a few hundred a year: one partition holds decades), the caller's idempotency key beside it.
/// </summary>
public sealed class AzureTableServiceRequestStore(TableServiceClient tables) : IServiceRequestStore
{
    public const string TableName = "ServiceRequests";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, TableName);

    public async Task<IReadOnlyList<(ServiceRequest Request, string? ClientRequestId)>> LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var result = new List<(ServiceRequest, string?)>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == tenant, cancellationToken: cancellationToken))
        {
            if (JsonSerializer.Deserialize<ServiceRequest>(e.GetString("Data") ?? "null", Json) is { } request)
            {
                result.Add((request, e.GetString("ClientRequestId")));
            }
        }
        return result;
    }

    public async Task SaveAsync(ServiceRequest request, string? clientRequestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await _table.GetAsync();
        await table.UpsertEntityAsync(new TableEntity(request.Tenant, request.Id)
        {
            ["Data"] = JsonSerializer.Serialize(request, Json),
            ["ClientRequestId"] = clientRequestId,
            ["Status"] = request.Status.ToString(),
            ["ServiceCode"] = request.ServiceCode,
        }, TableUpdateMode.Replace, cancellationToken);
    }
}
