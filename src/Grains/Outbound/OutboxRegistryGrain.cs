using GoldbachActors.Contracts;
using GoldbachActors.Grains.Inbox;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Outbound;

/// <summary>
/// One shard of a tenant's outbox registry (see <see cref="IOutboxRegistryGrain"/>). Reentrant with group commit: a
/// burst's registrations share few writes. While anyone is registered, a durable reminder wakes them every minute
/// (after a crash, the reminder service brings this shard back on a live silo, which loads the shard from storage);
/// those whose outbox is empty then are removed, and the reminder goes when nobody is left.
/// </summary>
[Reentrant]
public sealed partial class OutboxRegistryGrain(IOutboxRegistryStore store, ILogger<OutboxRegistryGrain> logger) : Grain, IOutboxRegistryGrain, IRemindable
{
    private const string Reminder = "outbox-registry";
    private const int WakeConcurrency = 64;
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private readonly HashSet<string> _citizens = new(StringComparer.Ordinal);

    // Registered again while a tick woke everyone: not removed by that tick, whatever the wake answered.
    private readonly HashSet<string> _addedWhileWaking = new(StringComparer.Ordinal);
    private GroupCommit<string, (string CitizenKey, bool Remove)>? _writes;
    private Task? _reminder;
    private bool _waking;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var shard = this.GetPrimaryKeyString();
        _writes = new GroupCommit<string, (string, bool)>(changes => store.WriteAsync(shard, changes, CancellationToken.None), TimeSpan.FromMilliseconds(20));
        foreach (var key in await store.LoadAsync(shard, cancellationToken))
        {
            _citizens.Add(key);
        }
    }

    public async Task AddAsync(string citizenKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(citizenKey);
        if (!CitizenKey.ParseGrainKey(citizenKey).Tenant.Equals(this.GetPrimaryKeyString().Split('/')[0], StringComparison.Ordinal))
        {
            throw new ArgumentException("The citizen belongs to another tenant's registry.", nameof(citizenKey));
        }
        var added = _citizens.Add(citizenKey);
        if (_waking)
        {
            _addedWhileWaking.Add(citizenKey);
        }
        // The reminder once per activation (registered while anyone is here; an earlier activation's may exist).
        _reminder ??= this.RegisterOrUpdateReminder(Reminder, Period, Period);
        try
        {
            await Task.WhenAll(added ? _writes!.WriteAsync(citizenKey, (citizenKey, false)) : Task.CompletedTask, _reminder);
        }
        catch
        {
            if (added)
            {
                _citizens.Remove(citizenKey);
            }
            if (_reminder.IsFaulted)
            {
                _reminder = null;
            }
            throw;
        }
    }

    public Task RemoveAsync(string citizenKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(citizenKey);
        _addedWhileWaking.Remove(citizenKey);
        return _citizens.Remove(citizenKey) ? _writes!.WriteAsync(citizenKey, (citizenKey, true)) : Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. _citizens.Order(StringComparer.Ordinal)]);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != Reminder || _waking)
        {
            return;
        }
        _waking = true;
        try
        {
            _addedWhileWaking.Clear();
            var done = new List<string>();
            foreach (var chunk in _citizens.ToList().Chunk(WakeConcurrency))
            {
                await Task.WhenAll(chunk.Select(async key =>
                {
                    try
                    {
                        if (!await GrainFactory.GetGrain<ICitizenGrain>(key).WakeOutboxAsync())
                        {
                            done.Add(key);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Stays registered: the next tick tries again.
                        LogWakeFailed(ex.GetType().Name);
                    }
                }));
            }
            done.RemoveAll(_addedWhileWaking.Contains);
            foreach (var key in done)
            {
                _citizens.Remove(key);
            }
            if (done.Count > 0)
            {
                await Task.WhenAll(done.Select(key => _writes!.WriteAsync(key, (key, true))));
            }
            if (_citizens.Count == 0 && await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
                _reminder = null;
            }
        }
        finally
        {
            _waking = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking a citizen's outbox failed ({ExceptionType}); tried again at the next tick")]
    private partial void LogWakeFailed(string exceptionType);
}
