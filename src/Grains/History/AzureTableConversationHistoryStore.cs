using Azure;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;
using Orleans.Serialization;

namespace GoldbachActors.Grains.History;

/// <summary>
/// History pages in an Azure Table: partition = the citizen (<see cref="CitizenKey.StorageKey"/>), one page in one
/// or more rows <c>{page:D10}.{part:D2}</c> written in one entity-group transaction. A page is serialized with the
/// Orleans serializer (version tolerant like the grain state) and cut into binary properties of at most 64 KiB; a row
/// holds up to 10 of them, inside the 1 MiB entity limit. A page of 25 entries stays far below the 4 MiB a transaction
/// may carry (WhatsApp texts have at most 4,096 characters).
/// </summary>
public sealed class AzureTableConversationHistoryStore(
    TableServiceClient tables, Serializer<HistoryPage> serializer, string tableName = "ConversationHistory")
    : IConversationHistoryStore
{
    private const int ChunkBytes = 64 * 1024;
    // Binary travels base64-encoded, and Azurite counts that against the 1 MiB entity limit: 10 chunks (640 KiB, about
    // 850 KiB encoded) fit either way. A transaction carries at most 4 MiB, so a page holds up to about 2.5 MB.
    private const int ChunksPerRow = 10;
    private const string PartsProperty = "Parts";

    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, tableName);

    public async Task WritePageAsync(CitizenKey citizen, HistoryPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var table = await _table.GetAsync();
        var bytes = serializer.SerializeToArray(page);
        var chunks = bytes.Chunk(ChunkBytes).ToArray();
        var rows = chunks.Chunk(ChunksPerRow).ToArray();
        var actions = new List<TableTransactionAction>(rows.Length);
        for (var part = 0; part < rows.Length; part++)
        {
            var entity = new TableEntity(citizen.StorageKey, RowKey(page.Number, part));
            for (var i = 0; i < rows[part].Length; i++)
            {
                entity["Data" + i] = rows[part][i];
            }
            if (part == 0)
            {
                entity[PartsProperty] = rows.Length;
                entity["Messages"] = page.Inbound.Length + page.Outbound.Length;
            }
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
        }
        await table.SubmitTransactionAsync(actions, cancellationToken);
    }

    public async Task<HistoryPage?> ReadPageAsync(CitizenKey citizen, int number, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var from = RowKey(number, 0);
        var to = RowKey(number, 99);
        var rows = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == citizen.StorageKey && e.RowKey.CompareTo(from) >= 0 && e.RowKey.CompareTo(to) <= 0,
            cancellationToken: cancellationToken))
        {
            rows.Add(entity);
        }
        if (rows.Count == 0)
        {
            return null;
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.RowKey, b.RowKey));
        // A rewrite with fewer parts may leave a stale row behind: the first row says how many belong to the page.
        var parts = rows[0].GetInt32(PartsProperty) ?? rows.Count;
        using var buffer = new MemoryStream();
        foreach (var row in rows.Take(parts))
        {
            for (var i = 0; row.GetBinary("Data" + i) is { } chunk; i++)
            {
                buffer.Write(chunk);
            }
        }
        return serializer.Deserialize(buffer.ToArray());
    }

    public async Task DeleteAllAsync(CitizenKey citizen, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == citizen.StorageKey, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            await table.SubmitTransactionAsync(
                chunk.Select(key => new TableTransactionAction(
                    TableTransactionActionType.Delete, new TableEntity(citizen.StorageKey, key), ETag.All)),
                cancellationToken);
        }
    }

    private static string RowKey(int page, int part) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{page:D10}.{part:D2}");
}
