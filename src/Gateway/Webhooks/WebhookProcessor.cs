using System.Diagnostics;
using System.Threading.Channels;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>
/// Records journaled webhooks into the grains after they were answered, then deletes them from the journal; and
/// sweeps the journal for entries that no gateway finished (a crash, a silo outage, a full queue) and replays them.
/// Replays are harmless: every grain call is idempotent. Webhooks are recorded in lanes chosen by their citizen: one
/// citizen's in the order they were answered, different citizens' concurrently.
/// </summary>
public sealed partial class WebhookProcessor(
    WebhookJournal journal, WebhookIntake intake, WebhookMetrics metrics, IOptions<WebhookOptions> options, ILogger<WebhookProcessor> logger)
    : BackgroundService
{
    private const int QueueLimit = 10_000;
    private readonly Channel<(JournalEntry Entry, WebhookPayload Payload, ActivityContext Request)>[] _lanes = CreateLanes(options.Value.RecordingLanes);
    private int _pending;

    private static Channel<(JournalEntry, WebhookPayload, ActivityContext)>[] CreateLanes(int lanes) =>
        [.. Enumerable.Range(0, lanes).Select(_ => Channel.CreateBounded<(JournalEntry, WebhookPayload, ActivityContext)>(
            new BoundedChannelOptions(Math.Max(1, QueueLimit / lanes)) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true }))];

    /// <summary>Webhooks answered but not yet recorded by this gateway (the journal holds them meanwhile).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Hands an answered webhook to the workers; when they are far behind, the sweeper takes it later.</summary>
    public void Enqueue(JournalEntry entry, WebhookPayload payload)
    {
        Interlocked.Increment(ref _pending);
        // The recording joins the webhook request's trace, although it runs after the answer.
        var lane = _lanes[(int)((uint)WebhookIntake.OrderingKey(payload) % (uint)_lanes.Length)];
        journal.Claim(entry);
        if (!lane.Writer.TryWrite((entry, payload, Activity.Current?.Context ?? default)))
        {
            Interlocked.Decrement(ref _pending);
            journal.Abandon(entry);
            LogLeftForSweeper();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = _lanes.Select(lane => WorkAsync(lane.Reader, stoppingToken)).ToList();
        await SweepAsync(stoppingToken);
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(ChannelReader<(JournalEntry Entry, WebhookPayload Payload, ActivityContext Request)> lane, CancellationToken stoppingToken)
    {
        // Off the caller's context: each lane is its own loop.
        await Task.Yield();
        try
        {
            await foreach (var (entry, payload, request) in lane.ReadAllAsync(stoppingToken))
            {
                using var activity = GoldbachActivity.Source.StartActivity("goldbach.webhook.record", ActivityKind.Internal, request);
                try
                {
                    await intake.RecordAsync(payload);
                    journal.Complete(entry);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Kept in the journal; the sweeper replays it.
                    journal.Abandon(entry);
                    LogProcessingFailed(ex.GetType().Name);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.JournalSweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var replayed = 0;
                try
                {
                    // A record this gateway's lanes are still working through is theirs (a burst longer than the
                    // replay interval would otherwise be recorded twice), unless it is ten intervals old.
                    bool Theirs(JournalEntry entry) =>
                        journal.InProgress(entry) && DateTimeOffset.UtcNow - entry.WrittenAt < settings.JournalReplayAfter * 10;
                    await foreach (var record in journal.ReadStaleAsync(settings.JournalReplayAfter, Theirs, stoppingToken))
                    {
                        replayed += await ReplayAsync(record, settings);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Reading the journal failed (storage): the next interval tries again.
                    LogSweepFailed(ex.GetType().Name);
                }
                if (replayed > 0)
                {
                    LogReplayed(replayed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // One record on its own: a body that always fails neither stops the replay of the others nor stays for ever. Its
    // record keeps only what is still to record, counts the attempt and waits a replay interval; after too many
    // attempts (and not before it is old enough that an outage alone cannot be the cause) it goes to the dead letters.
    private async Task<int> ReplayAsync(StaleRecord record, WebhookOptions settings)
    {
        var failed = new List<byte[]>();
        string? reason = null;
        foreach (var body in record.Bodies)
        {
            try
            {
                await intake.RecordAsync(WebhookPayloadParser.Parse(body));
            }
            catch (MalformedWebhookException)
            {
                // Cannot happen for a body that was journaled after parsing; nothing to replay.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add(body);
                reason ??= ex.GetType().Name;
            }
        }
        try
        {
            if (failed.Count == 0)
            {
                journal.Delete(record.Entry);
                return record.Bodies.Count;
            }
            var attempts = record.Attempts + 1;
            metrics.ReplayFailed();
            if (attempts >= settings.JournalMaxAttempts && DateTimeOffset.UtcNow - record.Entry.WrittenAt >= settings.JournalDeadLetterAfter)
            {
                await journal.DeadLetterAsync(record.Entry, failed, attempts, reason!);
                metrics.DeadLettered();
                LogDeadLettered(failed.Count, attempts, reason!);
            }
            else
            {
                await journal.RetryLaterAsync(record.Entry, failed, attempts);
                LogReplayFailed(failed.Count, attempts, reason!);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The record stays as it was; the next sweep tries again.
            LogSweepFailed(ex.GetType().Name);
        }
        return record.Bodies.Count - failed.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} journaled webhooks could not be replayed (attempt {Attempts}, {ExceptionType}); tried again later")]
    private partial void LogReplayFailed(int count, int attempts, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} journaled webhooks failed {Attempts} times ({ExceptionType}) and went to the dead-letter table WebhookDeadLetters: see docs/operations.md")]
    private partial void LogDeadLettered(int count, int attempts, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook processing is far behind; a journaled webhook is left for the sweeper")]
    private partial void LogLeftForSweeper();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A journaled webhook could not be recorded yet ({ExceptionType}); the sweeper replays it")]
    private partial void LogProcessingFailed(string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal sweep interrupted ({ExceptionType}); it runs again at the next interval")]
    private partial void LogSweepFailed(string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} journaled webhooks that no gateway had finished")]
    private partial void LogReplayed(int count);
}
