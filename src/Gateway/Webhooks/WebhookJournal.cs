using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using GoldbachActors.Storage;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>One journal record: the bodies of webhooks that arrived together, stored in one write.</summary>
/// <param name="PartitionKey">The journal writer's partition.</param>
/// <param name="RowKey">Sortable by arrival.</param>
public sealed record JournalEntry(string PartitionKey, string RowKey)
{
    /// <summary>When the record was written (its row key starts with the ticks).</summary>
    public DateTimeOffset WrittenAt =>
        long.TryParse(RowKey.AsSpan(0, Math.Min(19, RowKey.Length)), System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : DateTimeOffset.MinValue;
}

/// <summary>A stale journal record: its bodies and how often their replay failed so far.</summary>
public sealed record StaleRecord(JournalEntry Entry, IReadOnlyList<byte[]> Bodies, int Attempts);

/// <summary>
/// The durable journal of accepted webhook bodies (Azure Table <c>WebhookJournal</c>): a webhook is answered 200 as
/// soon as its body is here, and the grains record it afterwards. Group commit: the bodies of webhooks that arrive
/// while a write is under way are packed into the next record (up to 900 KB), so one storage write serves many
/// webhooks. A record is deleted once every webhook in it is recorded; what a crashed gateway leaves behind is
/// replayed whole by the sweeper of any gateway (<see cref="WebhookProcessor"/>), which is harmless because every
/// grain call is idempotent. Bodies hold personal data and live here only seconds.
/// </summary>
public sealed class WebhookJournal : IHostedService, IAsyncDisposable
{
    public const string TableName = WebhookJournalTables.Journal;

    /// <summary>The largest body the journal takes (a record holds at most 1 MiB; larger ones are recorded before answering).</summary>
    public const int MaxBodyBytes = ChunkBytes * MaxChunks;

    private const int ChunkBytes = 60 * 1024;
    private const int MaxChunks = 15;
    private const int Writers = 2;

    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>();
    private readonly Channel<JournalEntry> _deletes = Channel.CreateUnbounded<JournalEntry>();
    private readonly ConcurrentDictionary<JournalEntry, int> _unfinished = new();

    // Records of this gateway whose recording failed (or was never queued): the sweeper replays them even while other
    // webhooks of the record are still being recorded, and they are deleted only by the sweeper, after its replay.
    private readonly ConcurrentDictionary<JournalEntry, byte> _needsReplay = new();

    // Records whose webhooks were handed to this gateway's recording lanes.
    private readonly ConcurrentDictionary<JournalEntry, byte> _claimed = new();
    private readonly StorageSetup<TableClient> _table;
    private readonly StorageSetup<TableClient> _deadLetters;
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];
    private Task[] _loops = [];
    private long _sequence;

    public WebhookJournal(TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _table = StorageSetup.Table(tables, TableName);
        _deadLetters = StorageSetup.Table(tables, WebhookJournalTables.DeadLetters);
    }

    /// <summary>Whether a body fits one journal record (with its length prefix); a larger one is recorded before answering.</summary>
    public static bool Fits(ReadOnlyMemory<byte> body) => body.Length <= MaxBodyBytes - sizeof(int);

    /// <summary>Starts the writers and the deleter (the host starts the journal before the processor that uses it).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loops = [.. Enumerable.Range(0, Writers).Select(i => AppendLoopAsync($"{_instance}-{i}")), DeleteLoopAsync()];
        return Task.CompletedTask;
    }

    /// <summary>Finishes what was appended and deleted so far (the processor, stopped before, has drained).</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <summary>Stores a body durably; completes when it is in storage (or fails, then nothing was stored).</summary>
    public Task<JournalEntry> AppendAsync(ReadOnlyMemory<byte> body)
    {
        if (!Fits(body))
        {
            throw new ArgumentException("The body is too large for the journal.", nameof(body));
        }
        var pending = new Pending(body, new TaskCompletionSource<JournalEntry>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_appends.Writer.TryWrite(pending), this);
        return pending.Done.Task;
    }

    /// <summary>
    /// Marks one webhook of a record as recorded by the grains; the record is deleted when all of its webhooks are.
    /// A delete that never happens only causes a harmless replay.
    /// </summary>
    public void Complete(JournalEntry entry)
    {
        if (_unfinished.AddOrUpdate(entry, 0, (_, count) => count - 1) <= 0 && _unfinished.TryRemove(entry, out _))
        {
            _claimed.TryRemove(entry, out _);
            if (!_needsReplay.ContainsKey(entry))
            {
                _deletes.Writer.TryWrite(entry);
            }
        }
    }

    /// <summary>Notes that a webhook of the record went to this gateway's recording lanes (see <see cref="InProgress"/>).</summary>
    public void Claim(JournalEntry entry) => _claimed[entry] = 0;

    /// <summary>
    /// Marks a record whose webhook this gateway could not record (a failed grain call, a full queue): it is left to
    /// the sweeper, which replays the whole record once it is old enough.
    /// </summary>
    public void Abandon(JournalEntry entry) => _needsReplay[entry] = 0;

    /// <summary>
    /// Whether this gateway is still recording the record's webhooks (none of them abandoned): the sweeper leaves it
    /// alone, so that a long burst is not recorded twice, once by the lanes and once by replays of the records they
    /// have not reached yet.
    /// </summary>
    public bool InProgress(JournalEntry entry) =>
        _claimed.ContainsKey(entry) && _unfinished.ContainsKey(entry) && !_needsReplay.ContainsKey(entry);

    /// <summary>Deletes a whole record (after the sweeper replayed it).</summary>
    public void Delete(JournalEntry entry)
    {
        _unfinished.TryRemove(entry, out _);
        _needsReplay.TryRemove(entry, out _);
        _claimed.TryRemove(entry, out _);
        _deletes.Writer.TryWrite(entry);
    }

    /// <summary>
    /// Records older than <paramref name="age"/>: left by a gateway that failed or stopped before finishing them. The
    /// query reads only their keys; the bodies are read one record at a time, and not for those <paramref name="skip"/>
    /// names (during a long burst, a sweep would otherwise carry every record the lanes have not reached yet).
    /// </summary>
    public async IAsyncEnumerable<StaleRecord> ReadStaleAsync(
        TimeSpan age, Func<JournalEntry, bool> skip, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skip);
        var table = await _table.GetAsync();
        var before = DateTimeOffset.UtcNow - age;
        var stale = new List<JournalEntry>();
        await foreach (var key in table.QueryAsync<TableEntity>(e => e.Timestamp < before, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (new JournalEntry(key.PartitionKey, key.RowKey) is var entry && !skip(entry))
            {
                stale.Add(entry);
            }
        }
        foreach (var entry in stale)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(entry.PartitionKey, entry.RowKey, cancellationToken: cancellationToken);
            if (found is { HasValue: true, Value: { } entity })
            {
                yield return new StaleRecord(entry, Unpack(entity), entity.GetInt32("Attempts") ?? 0);
            }
        }
    }

    /// <summary>
    /// Keeps a record whose replay failed with only the bodies still to record and one more attempt counted; the write
    /// also renews its timestamp, so the sweeper waits a full replay interval before trying it again.
    /// </summary>
    public async Task RetryLaterAsync(JournalEntry entry, IReadOnlyList<byte[]> failed, int attempts)
    {
        var table = await _table.GetAsync();
        var entity = Pack(entry, [.. failed.Select(b => (ReadOnlyMemory<byte>)b)]);
        entity["Attempts"] = attempts;
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace);
    }

    /// <summary>Moves bodies whose replay kept failing to the dead-letter table (one a row), then deletes the record.</summary>
    public async Task DeadLetterAsync(JournalEntry entry, IReadOnlyList<byte[]> failed, int attempts, string reason)
    {
        var deadLetters = await _deadLetters.GetAsync();
        for (var i = 0; i < failed.Count; i++)
        {
            var letter = Pack(new JournalEntry("dead", $"{entry.RowKey}-{i:D3}"), [failed[i]]);
            letter["Attempts"] = attempts;
            letter["Reason"] = reason;
            letter["WrittenAt"] = entry.WrittenAt;
            await deadLetters.UpsertEntityAsync(letter, TableUpdateMode.Replace);
        }
        var table = await _table.GetAsync();
        await table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, ETag.All);
        _unfinished.TryRemove(entry, out _);
        _needsReplay.TryRemove(entry, out _);
        _claimed.TryRemove(entry, out _);
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
        var batch = new List<Pending>();
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var bytes = 0;
            while (reader.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Body.Length + sizeof(int) <= MaxBodyBytes) && reader.TryRead(out next))
            {
                batch.Add(next);
                bytes += next.Body.Length + sizeof(int);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            var entry = new JournalEntry(partition, $"{DateTime.UtcNow.Ticks:D19}-{Interlocked.Increment(ref _sequence):D12}");
            try
            {
                var table = await _table.GetAsync();
                _unfinished[entry] = batch.Count;
                await table.AddEntityAsync(Pack(entry, [.. batch.Select(p => p.Body)]));
                foreach (var pending in batch)
                {
                    pending.Done.SetResult(entry);
                }
            }
            catch (Exception ex)
            {
                _unfinished.TryRemove(entry, out _);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task DeleteLoopAsync()
    {
        await foreach (var entry in _deletes.Reader.ReadAllAsync())
        {
            try
            {
                var table = await _table.GetAsync();
                await table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, ETag.All);
            }
            catch (RequestFailedException)
            {
                // Left for the sweeper: replaying it is harmless.
            }
        }
    }

    // Bodies framed as [length][bytes]…, spread over binary properties of at most 64 KB each.
    private static TableEntity Pack(JournalEntry entry, IReadOnlyList<ReadOnlyMemory<byte>> bodies)
    {
        var total = bodies.Sum(b => b.Length + sizeof(int));
        var buffer = new byte[total];
        var offset = 0;
        foreach (var body in bodies)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), body.Length);
            body.Span.CopyTo(buffer.AsSpan(offset + sizeof(int)));
            offset += body.Length + sizeof(int);
        }
        var entity = new TableEntity(entry.PartitionKey, entry.RowKey) { ["Count"] = bodies.Count };
        var chunks = 0;
        for (var start = 0; start < buffer.Length; start += ChunkBytes)
        {
            entity[$"Body{chunks++}"] = buffer[start..Math.Min(buffer.Length, start + ChunkBytes)];
        }
        entity["Chunks"] = chunks;
        return entity;
    }

    private static List<byte[]> Unpack(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        for (var i = 0; i < (entity.GetInt32("Chunks") ?? 0); i++)
        {
            buffer.Write(entity.GetBinary($"Body{i}") ?? []);
        }
        var bytes = buffer.ToArray();
        var bodies = new List<byte[]>();
        for (var offset = 0; offset + sizeof(int) <= bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            if (length < 0 || offset + sizeof(int) + length > bytes.Length)
            {
                break;
            }
            bodies.Add(bytes[(offset + sizeof(int))..(offset + sizeof(int) + length)]);
            offset += sizeof(int) + length;
        }
        return bodies;
    }

    private sealed record Pending(ReadOnlyMemory<byte> Body, TaskCompletionSource<JournalEntry> Done);
}
