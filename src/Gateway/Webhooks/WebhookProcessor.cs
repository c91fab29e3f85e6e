using System.Diagnostics;
using System.Threading.Channels;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>
/// Records journaled webhooks into the grains after they were answered, then deletes them from the journal; and
/// sweeps the journal for entries that no gateway finished (a crash, a silo outage, a full queue) and replays them.
/// Replays are harmless: every grain call is idempotent.
/// </summary>
public sealed partial class WebhookProcessor(
    WebhookJournal journal, WebhookIntake intake, IOptions<WebhookOptions> options, ILogger<WebhookProcessor> logger)
    : BackgroundService
{
    private const int Workers = 1;
    private readonly Channel<(JournalEntry Entry, WebhookPayload Payload, ActivityContext Request)> _work =
        Channel.CreateBounded<(JournalEntry, WebhookPayload, ActivityContext)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private int _pending;

    /// <summary>Webhooks answered but not yet recorded by this gateway (the journal holds them meanwhile).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Hands an answered webhook to the workers; when they are far behind, the sweeper takes it later.</summary>
    public void Enqueue(JournalEntry entry, WebhookPayload payload)
    {
        Interlocked.Increment(ref _pending);
        // The recording joins the webhook request's trace, although it runs after the answer.
        if (!_work.Writer.TryWrite((entry, payload, Activity.Current?.Context ?? default)))
        {
            Interlocked.Decrement(ref _pending);
            LogLeftForSweeper();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)).ToList();
        await SweepAsync(stoppingToken);
        _work.Writer.TryComplete();
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (entry, payload, request) in _work.Reader.ReadAllAsync(stoppingToken))
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
                    await foreach (var (entry, bodies) in journal.ReadStaleAsync(settings.JournalReplayAfter, stoppingToken))
                    {
                        foreach (var body in bodies)
                        {
                            try
                            {
                                await intake.RecordAsync(WebhookPayloadParser.Parse(body));
                            }
                            catch (MalformedWebhookException)
                            {
                                // Cannot happen for a body that was journaled after parsing; nothing to replay.
                            }
                        }
                        journal.Delete(entry);
                        replayed += bodies.Count;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook processing is far behind; a journaled webhook is left for the sweeper")]
    private partial void LogLeftForSweeper();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A journaled webhook could not be recorded yet ({ExceptionType}); the sweeper replays it")]
    private partial void LogProcessingFailed(string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal sweep interrupted ({ExceptionType}); it runs again at the next interval")]
    private partial void LogSweepFailed(string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} journaled webhooks that no gateway had finished")]
    private partial void LogReplayed(int count);
}
