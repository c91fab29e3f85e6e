using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Telemetry;

/// <summary>
/// The silo's own metrics (meter <c>GoldbachActors</c>). Tags name kinds, codes, statuses, categories and the
/// tenant (the town's business number), never a citizen: no phone number, WhatsApp user id or grain key.
/// </summary>
public sealed class GoldbachMetrics
{
    private readonly Counter<long> _acknowledgements;
    private readonly Counter<long> _floodFlagged;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _windowClosures;
    private readonly Histogram<double> _firstResponse;
    private readonly Counter<long> _consent;
    private readonly Counter<long> _broadcastRecipients;
    private readonly Counter<long> _retentionDeleted;
    private readonly Counter<long> _erasures;
    private readonly Counter<long> _dutyNotifications;
    private readonly Counter<long> _dutyUnstaffed;
    private readonly Counter<long> _readReceipts;
    private readonly Counter<long> _charged;

    /// <summary>The <c>kind</c> of <see cref="RetentionDeleted"/>: a resolved conversation.</summary>
    public const string RetentionConversation = "conversation";

    /// <summary>The <c>kind</c> of <see cref="RetentionDeleted"/>: staff audit entries.</summary>
    public const string RetentionAuditEntry = "audit_entry";

    // Each active citizen grain's outbox (messages not yet accepted by WhatsApp, the oldest one's time); the key is
    // only held here, never exported.
    private readonly ConcurrentDictionary<string, (int Depth, DateTimeOffset? Oldest)> _outboxes = new();

    // Unresolved conversations per tenant, status and category, kept by each tenant's inbox grain.
    private readonly ConcurrentDictionary<(string Tenant, ConversationStatus Status, string Category), long> _conversations = new();
    private readonly TimeProvider _time;

    public GoldbachMetrics(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        var meter = meters.Create(Contracts.Diagnostics.GoldbachActivity.MeterName);
        _acknowledgements = meter.CreateCounter<long>("goldbach.acknowledgements", description: "Automatic acknowledgements queued, by language.");
        _floodFlagged = meter.CreateCounter<long>("goldbach.citizens.rate_limited", description: "Conversations flagged for writing faster than the flood limit.");
        _sent = meter.CreateCounter<long>("goldbach.outbound.sent", description: "Messages accepted by the Graph API, by kind.");
        _failed = meter.CreateCounter<long>("goldbach.outbound.failed", description: "Messages that failed for good, by kind and Meta error code.");
        _windowClosures = meter.CreateCounter<long>("goldbach.outbound.window_closed", description: "Messages held or given up because the 24-hour window was closed, by kind.");
        _firstResponse = meter.CreateHistogram<double>("goldbach.first_response.working_time", unit: "s",
            description: "From a conversation's start to the first staff reply, counting office hours only (all hours without office hours).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 57600, 115200] });
        _consent = meter.CreateCounter<long>("goldbach.lists.consent", description: "List joins and leaves, by list, action and channel (keyword, staff, WhatsApp preference).");
        _broadcastRecipients = meter.CreateCounter<long>("goldbach.broadcast.recipients",
            description: "Broadcast recipients handed to their outbox, deferred by the messaging limit or skipped, by outcome and whether a template goes.");
        _retentionDeleted = meter.CreateCounter<long>("goldbach.retention.deleted",
            description: "What the retention rules deleted, by kind (conversation, audit_entry) and category.");
        _erasures = meter.CreateCounter<long>("goldbach.erasures", description: "Citizens erased, by reason (request, retention).");
        _dutyNotifications = meter.CreateCounter<long>("goldbach.duty.notifications",
            description: "Duty notifications by channel (push, whatsapp) and outcome (delivered, gone, failed), per tenant.");
        _dutyUnstaffed = meter.CreateCounter<long>("goldbach.duty.unstaffed",
            description: "Alerts that found nobody on duty (the supervisors were rung instead, if any), per tenant: alert operators on any increase.");
        _charged = meter.CreateCounter<long>("goldbach.outbound.charged",
            description: "Messages Meta charges for, by pricing (service: free text inside the window, charged per message since October 2026; template: per delivered template), accepted by the Graph API.");
        _readReceipts = meter.CreateCounter<long>("goldbach.read_receipts",
            description: "Citizens' messages marked read at WhatsApp when staff opened the conversation, or with the typing indicator while staff typed.");
        meter.CreateObservableGauge("goldbach.outbox.depth", () => (long)_outboxes.Values.Sum(o => o.Depth),
            description: "Messages in the outboxes of the active citizen grains, not yet accepted by WhatsApp.");
        meter.CreateObservableGauge("goldbach.outbox.oldest_age", OldestAge, unit: "s",
            description: "Age of the oldest message waiting in an outbox (0 when none waits).");
        meter.CreateObservableGauge("goldbach.conversations.unresolved", Conversations,
            description: "Conversations not resolved, by tenant, status and category.");
    }

    public void Acknowledgement(string? language) =>
        _acknowledgements.Add(1, new KeyValuePair<string, object?>("language", language ?? "de"));

    public void FloodFlagged() => _floodFlagged.Add(1);

    public void ReadReceipt(bool typing) => _readReceipts.Add(1, new KeyValuePair<string, object?>("typing", typing ? "true" : "false"));

    public void Sent(OutboundKind kind)
    {
        _sent.Add(1, new KeyValuePair<string, object?>("kind", Name(kind)));
        _charged.Add(1, new KeyValuePair<string, object?>("pricing", kind is OutboundKind.WindowTemplate or OutboundKind.BroadcastTemplate ? "template" : "service"));
    }

    public void Failed(OutboundKind kind, int? metaCode) => _failed.Add(1,
        new KeyValuePair<string, object?>("kind", Name(kind)),
        new KeyValuePair<string, object?>("meta_code", metaCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));

    public void WindowClosed(OutboundKind kind) => _windowClosures.Add(1, new KeyValuePair<string, object?>("kind", Name(kind)));

    public void Consent(string? listId, ConsentAction action, ConsentChannel channel) => _consent.Add(1,
        new KeyValuePair<string, object?>("list", listId ?? "marketing"),
        new KeyValuePair<string, object?>("action", action == ConsentAction.Joined ? "joined" : "left"),
        new KeyValuePair<string, object?>("channel", channel switch
        {
            ConsentChannel.Keyword => "keyword",
            ConsentChannel.Staff => "staff",
            _ => "whatsapp_preference",
        }));

    /// <summary>What handing a recipient to their outbox came to: queued, deferred (messaging limit) or skipped.</summary>
    public void BroadcastRecipient(RecipientState outcome, bool template) => _broadcastRecipients.Add(1,
        new KeyValuePair<string, object?>("outcome", outcome switch
        {
            RecipientState.Deferred => "deferred",
            RecipientState.Skipped => "skipped",
            _ => "queued",
        }),
        new KeyValuePair<string, object?>("template", template));

    public void RetentionDeleted(string kind, string? category, int count) => _retentionDeleted.Add(count,
        new KeyValuePair<string, object?>("kind", kind),
        new KeyValuePair<string, object?>("category", category ?? "none"));

    public void Erased(ErasureReason reason) =>
        _erasures.Add(1, new KeyValuePair<string, object?>("reason", reason switch
        {
            ErasureReason.Request => "request",
            ErasureReason.Restored => "restored",
            _ => "retention",
        }));

    /// <summary>One duty notification to one device (push) or duty number (whatsapp), and what became of it.</summary>
    public void DutyNotification(string tenant, string channel, string outcome) => _dutyNotifications.Add(1,
        new KeyValuePair<string, object?>("tenant", tenant),
        new KeyValuePair<string, object?>("channel", channel),
        new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>An alert found nobody on duty.</summary>
    public void DutyUnstaffed(string tenant) => _dutyUnstaffed.Add(1, new KeyValuePair<string, object?>("tenant", tenant));

    public void FirstResponse(TimeSpan workingTime) => _firstResponse.Record(Math.Max(0, workingTime.TotalSeconds));

    /// <summary>A citizen grain's outbox now (depth 0 or deactivation: forgotten).</summary>
    public void Outbox(string grainKey, int depth, DateTimeOffset? oldest)
    {
        if (depth == 0)
        {
            _outboxes.TryRemove(grainKey, out _);
        }
        else
        {
            _outboxes[grainKey] = (depth, oldest);
        }
    }

    /// <summary>One conversation moved from one status and category to another (null: it was not, or is no longer, counted).</summary>
    public void ConversationChanged(string tenant, ConversationSummary? before, ConversationSummary? after)
    {
        if (before is { Status: not ConversationStatus.Resolved })
        {
            _conversations.AddOrUpdate((tenant, before.Status, before.Category ?? "Sonstiges"), 0, (_, n) => n - 1);
        }
        if (after is { Status: not ConversationStatus.Resolved })
        {
            _conversations.AddOrUpdate((tenant, after.Status, after.Category ?? "Sonstiges"), 1, (_, n) => n + 1);
        }
    }

    private double OldestAge()
    {
        var now = _time.GetUtcNow();
        var oldest = _outboxes.Values.Select(o => o.Oldest).Where(o => o is not null).Min();
        return oldest is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0;
    }

    private IEnumerable<Measurement<long>> Conversations() =>
        _conversations.Select(c => new Measurement<long>(c.Value,
            new KeyValuePair<string, object?>("tenant", c.Key.Tenant),
            new KeyValuePair<string, object?>("status", c.Key.Status.ToString()),
            new KeyValuePair<string, object?>("category", c.Key.Category)));

    private static string Name(OutboundKind kind) => kind switch
    {
        OutboundKind.Acknowledgement => "acknowledgement",
        OutboundKind.StaffReply => "staff_reply",
        OutboundKind.WindowTemplate => "window_template",
        OutboundKind.Broadcast => "broadcast",
        OutboundKind.BroadcastTemplate => "broadcast_template",
        OutboundKind.ListConfirmation => "list_confirmation",
        OutboundKind.AppEcho => "app_echo",
        OutboundKind.Reaction => "reaction",
        OutboundKind.RequestStatus => "request_status",
        OutboundKind.LocationRequest => "location_request",
        _ => kind.ToString(),
    };
}
