using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>A webhook body kept in the journal until the grains have recorded what it carries.</summary>
/// <param name="PartitionKey">The journal writer's partition.</param>
/// <param name="RowKey">Sortable by arrival.</param>
public sealed record JournalEntry(string PartitionKey, string RowKey);

/// <summary>
/// The durable journal of accepted webhook bodies (Azure Table <c>WebhookJournal</c>): a webhook is answered 200 as
/// soon as its body is here, and the grains record it afterwards. Appends are group-committed: webhooks arriving
/// together share one entity-group transaction (up to 100 rows, 4 MB), so the journal costs a fraction of a storage
/// round trip per webhook. An entry is deleted once processed; what a crashed gateway leaves behind is replayed by the
/// sweeper of any gateway (<see cref="WebhookProcessor"/>). Bodies hold personal data and live here only seconds.
/// </summary>
public sealed class WebhookJournal : IAsyncDisposable
{
    public const string TableName = "WebhookJournal";

    /// <summary>The largest body kept in the journal (16 properties of 64 KB; an entity holds at most 1 MiB).</summary>
    public const int MaxBodyBytes = ChunkBytes * MaxChunks;

    private const int ChunkBytes = 60 * 1024;
    private const int MaxChunks = 15;
    private const int MaxBatchRows = 100;
    private const int MaxBatchBytes = 3_500_000;
    private const int Writers = 4;

    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Channel<JournalEntry> _deletes = Channel.CreateUnbounded<JournalEntry>();
    private readonly Lazy<Task<TableClient>> _table;
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];
    private readonly Task[] _loops;
    private long _sequence;

    public WebhookJournal(TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _table = new(async () =>
        {
            var table = tables.GetTableClient(TableName);
            await table.CreateIfNotExistsAsync();
            return table;
        });
        _loops = [.. Enumerable.Range(0, Writers).Select(i => Task.Run(() => AppendLoopAsync($"{_instance}-{i}"))), Task.Run(DeleteLoopAsync)];
    }

    /// <summary>Stores a body durably; completes when it is in storage (or fails, then nothing was stored).</summary>
    public Task<JournalEntry> AppendAsync(ReadOnlyMemory<byte> body)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw new ArgumentException("The body is too large for the journal.", nameof(body));
        }
        var pending = new Pending(body, new TaskCompletionSource<JournalEntry>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_appends.Writer.TryWrite(pending), this);
        return pending.Done.Task;
    }

    /// <summary>Forgets an entry whose updates the grains have recorded (batched; a lost delete only causes a harmless replay).</summary>
    public void Delete(JournalEntry entry) => _deletes.Writer.TryWrite(entry);

    /// <summary>Entries older than <paramref name="age"/>: left by a gateway that failed or stopped before processing them.</summary>
    public async IAsyncEnumerable<(JournalEntry Entry, byte[] Body)> ReadStaleAsync(TimeSpan age, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.Value;
        var before = DateTimeOffset.UtcNow - age;
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.Timestamp < before, cancellationToken: cancellationToken))
        {
            yield return (new JournalEntry(entity.PartitionKey, entity.RowKey), Read(entity));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        _deletes.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }

    private async Task AppendLoopAsync(string partition)
    {
        var reader = _appends.Reader;
        var batch = new List<Pending>(MaxBatchRows);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var bytes = 0;
            while (batch.Count < MaxBatchRows && bytes < MaxBatchBytes && reader.TryRead(out var next))
            {
                batch.Add(next);
                bytes += next.Body.Length;
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                var table = await _table.Value;
                var entries = batch.Select(p => (Pending: p, Entry: new JournalEntry(partition, NextRowKey()))).ToList();
                await table.SubmitTransactionAsync(entries.Select(e =>
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(e.Entry, e.Pending.Body))));
                foreach (var (pending, entry) in entries)
                {
                    pending.Done.SetResult(entry);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task DeleteLoopAsync()
    {
        var reader = _deletes.Reader;
        var batch = new List<JournalEntry>(MaxBatchRows);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatchRows && reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            try
            {
                var table = await _table.Value;
                foreach (var partition in batch.GroupBy(e => e.PartitionKey))
                {
                    await table.SubmitTransactionAsync(partition.Select(e =>
                        new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(e.PartitionKey, e.RowKey), ETag.All)));
                }
            }
            catch (RequestFailedException)
            {
                // One row of a batch was gone already (another gateway's sweeper): delete the rest one by one.
                var table = await _table.Value;
                foreach (var entry in batch)
                {
                    try
                    {
                        await table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, ETag.All);
                    }
                    catch (RequestFailedException)
                    {
                        // Left for the sweeper: replaying it is harmless.
                    }
                }
            }
        }
    }

    private string NextRowKey() =>
        $"{DateTime.UtcNow.Ticks:D19}-{Interlocked.Increment(ref _sequence):D12}";

    private static TableEntity ToEntity(JournalEntry entry, ReadOnlyMemory<byte> body)
    {
        var entity = new TableEntity(entry.PartitionKey, entry.RowKey) { ["Chunks"] = 0 };
        var chunks = 0;
        for (var offset = 0; offset < body.Length; offset += ChunkBytes)
        {
            entity[$"Body{chunks++}"] = body.Slice(offset, Math.Min(ChunkBytes, body.Length - offset)).ToArray();
        }
        entity["Chunks"] = chunks;
        return entity;
    }

    private static byte[] Read(TableEntity entity)
    {
        var chunks = entity.GetInt32("Chunks") ?? 0;
        using var body = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            body.Write(entity.GetBinary($"Body{i}") ?? []);
        }
        return body.ToArray();
    }

    private sealed record Pending(ReadOnlyMemory<byte> Body, TaskCompletionSource<JournalEntry> Done);
}
