using System.Diagnostics.Metrics;
using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>What the webhook did, as metrics of the meter <c>GoldbachActors</c>. Tags never carry personal data.</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _statuses;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _replayFailures;
    private readonly Counter<long> _deadLetters;

    public WebhookMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Contracts.Diagnostics.GoldbachActivity.MeterName);
        _requests = meter.CreateCounter<long>("goldbach.webhook.requests", description: "Webhook POSTs by result.");
        _duration = meter.CreateHistogram<double>("goldbach.webhook.duration", unit: "ms", description: "Time to answer a webhook POST.");
        _messages = meter.CreateCounter<long>("goldbach.webhook.messages", description: "Inbound messages by type and outcome.");
        _statuses = meter.CreateCounter<long>("goldbach.webhook.statuses", description: "Status reports by status and outcome.");
        _notifications = meter.CreateCounter<long>("goldbach.webhook.notifications", description: "Other webhook fields, recorded by kind only.");
        _skipped = meter.CreateCounter<long>("goldbach.webhook.skipped_items", description: "Items of a webhook that could not be read or belong to no tenant.");
        _replayFailures = meter.CreateCounter<long>("goldbach.webhook.replay_failures", description: "Journaled webhooks whose replay failed (tried again later).");
        _deadLetters = meter.CreateCounter<long>("goldbach.webhook.dead_letters", description: "Journaled webhooks moved to the dead-letter table after failing too often.");
    }

    public void Request(string result, double milliseconds)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("result", result));
        _duration.Record(milliseconds, new KeyValuePair<string, object?>("result", result));
    }

    public void Message(string type, string outcome) =>
        _messages.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));

    public void Status(string status, string outcome) =>
        _statuses.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("outcome", outcome));

    public void Notification(string field) => _notifications.Add(1, new KeyValuePair<string, object?>("field", field));

    public void Skipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ReplayFailed() => _replayFailures.Add(1);

    public void DeadLettered() => _deadLetters.Add(1);
}
