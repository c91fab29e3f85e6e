using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace GoldbachActors.Storage;

/// <summary>
/// A storage resource (a table, a blob container) created on first use. Unlike a <see cref="Lazy{T}"/> of a task,
/// a set-up that failed (storage unreachable while pods restart during an outage) is not cached: the next use tries
/// again, so a host started during an outage works as soon as storage is back, without a restart.
/// </summary>
/// <typeparam name="T">The client handed out once the resource exists.</typeparam>
public sealed class StorageSetup<T>(Func<Task<T>> create)
    where T : class
{
    private readonly Lock _lock = new();
    private Task<T>? _setup;

    /// <summary>The client; creates the resource first if no earlier attempt succeeded (one attempt at a time).</summary>
    public Task<T> GetAsync()
    {
        var current = Volatile.Read(ref _setup);
        if (current is { IsFaulted: false, IsCanceled: false })
        {
            return current;
        }
        lock (_lock)
        {
            // Callers that shared a failed attempt saw its error; the next one starts afresh.
            if (_setup is null || _setup.IsFaulted || _setup.IsCanceled)
            {
                _setup = create();
            }
            return _setup;
        }
    }
}

/// <summary>The two kinds of set-up the system needs.</summary>
public static class StorageSetup
{
    /// <summary>An Azure Table, created if it does not exist yet.</summary>
    public static StorageSetup<TableClient> Table(TableServiceClient tables, string name)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return new(async () =>
        {
            var client = tables.GetTableClient(name);
            await client.CreateIfNotExistsAsync();
            return client;
        });
    }

    /// <summary>A blob container, created if it does not exist yet.</summary>
    public static StorageSetup<BlobContainerClient> Container(BlobServiceClient blobs, string name)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        return new(async () =>
        {
            var container = blobs.GetBlobContainerClient(name);
            await container.CreateIfNotExistsAsync();
            return container;
        });
    }
}

/// <summary>The webhook journal's tables, shared by the gateway that writes them and the operator CLI.</summary>
public static class WebhookJournalTables
{
    /// <summary>Accepted webhook bodies until the grains recorded them.</summary>
    public const string Journal = "WebhookJournal";

    /// <summary>Bodies whose replay kept failing, one a row, for an operator to retry (back into the journal) or drop.</summary>
    public const string DeadLetters = "WebhookDeadLetters";
}
