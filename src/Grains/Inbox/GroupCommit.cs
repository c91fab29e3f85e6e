namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// Group commit for a reentrant grain: callers that arrive while a write is under way are written together in the
/// next write, and each caller's task completes when the write holding its item is durable (or fails with it).
/// At most one write is in flight, which also avoids storage conflicts between overlapping writes.
/// Runs on the grain's single-threaded scheduler, so it needs no locks. With a <paramref name="linger"/>, a write that
/// follows a busy one waits that long for more items first: under a steady stream of small updates (a burst of many
/// citizens' messages) the writes then carry many items each instead of one or two, at the cost of that much latency.
/// </summary>
internal sealed class GroupCommit<TKey, TItem>(Func<IReadOnlyCollection<TItem>, Task> write, TimeSpan linger = default)
    where TKey : notnull
{
    // A write that begins within this long after the previous one ended is "under load": it lingers.
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(100);
    private long _lastWriteEnded;

    private Dictionary<TKey, TItem> _pending = [];
    private TaskCompletionSource? _pendingDone;
    private bool _writing;

    /// <summary>Adds an item (replacing a pending one with the same key) and waits until it is written.</summary>
    public Task WriteAsync(TKey key, TItem item)
    {
        _pending[key] = item;
        _pendingDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = _pendingDone.Task;
        if (!_writing)
        {
            _ = WriteLoopAsync();
        }
        return done;
    }

    private async Task WriteLoopAsync()
    {
        _writing = true;
        try
        {
            while (_pending.Count > 0)
            {
                if (linger > TimeSpan.Zero && _lastWriteEnded != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastWriteEnded) < Busy)
                {
                    await Task.Delay(linger);
                }
                var batch = _pending;
                var done = _pendingDone!;
                _pending = [];
                _pendingDone = null;
                try
                {
                    await write(batch.Values);
                    done.SetResult();
                }
                catch (Exception ex)
                {
                    done.SetException(ex);
                }
                _lastWriteEnded = System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }
        finally
        {
            _writing = false;
        }
    }
}
