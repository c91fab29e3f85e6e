using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>
/// Hands a webhook's messages and statuses to the citizens' grains: each citizen's updates in timestamp order (arrival
/// order breaking ties), different citizens concurrently. Completes when all are durably recorded; throws if any
/// could not be, so that the gateway answers 5xx and Meta retries (every grain call is idempotent).
/// </summary>
public sealed partial class WebhookIntake(
    IClusterClient cluster, TenantSettingsCache tenants, WebhookMetrics metrics, ILogger<WebhookIntake> logger)
{
    private const string TypeMetricOther = "other";
    private static readonly HashSet<string> KnownTypes =
    [
        "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "button",
        "reaction", "system", "unsupported", "order", "edit", "revoke",
    ];

    public async Task RecordAsync(WebhookPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        foreach (var problem in payload.SkippedItems)
        {
            metrics.Skipped("malformed");
            LogSkipped(problem);
        }
        foreach (var notification in payload.Notifications)
        {
            // Not a conversation: counted and noted by kind (no personal data), deliberately not stored.
            metrics.Notification(notification.Field);
            LogNotification(notification.Field, notification.Detail);
        }

        var work = new Dictionary<string, List<Update>>();
        var arrival = 0;
        foreach (var message in payload.Messages)
        {
            if (TargetFor(message.PhoneNumberId, null, message.Sender) is { } key)
            {
                var type = KnownTypes.Contains(message.Message.Type) ? message.Message.Type : TypeMetricOther;
                Add(work, key, new Update(message.Message.SentAt, arrival++, async grain =>
                    metrics.Message(type, Outcome(await grain.ReceiveAsync(message.Message)))));
            }
        }
        foreach (var echo in payload.Echoes)
        {
            if (TargetFor(echo.PhoneNumberId, null, echo.Sender) is { } key)
            {
                Add(work, key, new Update(echo.Message.SentAt, arrival++, async grain =>
                    metrics.Message("echo", Outcome(await grain.RecordAppEchoAsync(echo.Message)))));
            }
        }
        foreach (var status in payload.Statuses)
        {
            if (TargetFor(status.PhoneNumberId, status.CallbackData, status.Recipient) is { } key)
            {
                var name = status.Report.Status is "sent" or "delivered" or "read" or "failed" or "played" ? status.Report.Status : TypeMetricOther;
                var report = OutboundReference.TryParse(status.CallbackData, out _, out var outboundId)
                    ? status.Report with { OutboundId = outboundId }
                    : status.Report;
                Add(work, key, new Update(status.Report.At, arrival++, async grain =>
                    metrics.Status(name, Outcome(await grain.ReportDeliveryAsync(report)))));
            }
        }

        foreach (var preference in payload.Preferences)
        {
            if (TargetFor(preference.PhoneNumberId, null, preference.User) is { } key)
            {
                Add(work, key, new Update(preference.At, arrival++, grain => grain.SetMarketingPreferenceAsync(preference.Stopped, preference.At)));
            }
        }

        await Task.WhenAll(work.Select(pair => RunInOrderAsync(pair.Key, pair.Value)));
    }

    /// <summary>
    /// A stable number for the citizen a webhook is about (its first update's business number and sender), so that one
    /// citizen's webhooks are recorded one after another in the order they came.
    /// </summary>
    public static int OrderingKey(WebhookPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var (number, identity) = payload.Messages.Count > 0 ? (payload.Messages[0].PhoneNumberId, payload.Messages[0].Sender)
            : payload.Echoes.Count > 0 ? (payload.Echoes[0].PhoneNumberId, payload.Echoes[0].Sender)
            : payload.Statuses.Count > 0 ? (payload.Statuses[0].PhoneNumberId, payload.Statuses[0].Recipient)
            : payload.Preferences.Count > 0 ? (payload.Preferences[0].PhoneNumberId, payload.Preferences[0].User)
            : ("", default);
        // The wa_id first: Meta sends it with the BSUID on every update of a citizen who has one, so both pick one lane.
        var who = identity.WaId ?? identity.BusinessScopedUserId ?? "";
        return StringComparer.Ordinal.GetHashCode(number) ^ StringComparer.Ordinal.GetHashCode(who);
    }

    private async Task RunInOrderAsync(string grainKey, List<Update> updates)
    {
        var citizen = cluster.GetGrain<ICitizenGrain>(grainKey);
        foreach (var update in updates.OrderBy(u => u.At).ThenBy(u => u.Arrival))
        {
            await update.Apply(citizen);
        }
    }

    // The citizen's grain: the key the town attached to its own message (statuses), else the BSUID when Meta sends
    // a valid one, else the legacy wa_id. A grain whose identity changed passes the call on to the citizen's grain.
    private string? TargetFor(string phoneNumberId, string? callbackData, WebhookIdentity identity)
    {
        if (tenants.Find(phoneNumberId) is null)
        {
            // Acknowledged all the same: Meta would otherwise retry for a week what no tenant wants.
            metrics.Skipped("unknown_tenant");
            LogUnknownTenant(phoneNumberId);
            return null;
        }
        if (OutboundReference.TryParse(callbackData, out var key, out _) && key.Tenant == phoneNumberId)
        {
            return key.GrainKey;
        }
        var candidate = CitizenKey.IsValidIdentity(identity.BusinessScopedUserId) ? identity.BusinessScopedUserId : identity.WaId;
        if (!CitizenKey.IsValidIdentity(candidate))
        {
            metrics.Skipped("no_identity");
            LogSkipped("an update whose citizen is neither a BSUID nor a wa_id");
            return null;
        }
        return CitizenKey.Create(phoneNumberId, candidate).GrainKey;
    }

    private static void Add(Dictionary<string, List<Update>> work, string key, Update update)
    {
        if (!work.TryGetValue(key, out var list))
        {
            work[key] = list = [];
        }
        list.Add(update);
    }

    private static string Outcome(ReceiveOutcome outcome) => outcome switch
    {
        ReceiveOutcome.Recorded => "recorded",
        ReceiveOutcome.Duplicate => "duplicate",
        _ => "unmatched",
    };

    private sealed record Update(DateTimeOffset At, int Arrival, Func<ICitizenGrain, Task> Apply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook item skipped: {Problem}")]
    private partial void LogSkipped(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook notification '{Field}' ({Detail}) noted, not stored")]
    private partial void LogNotification(string field, string? detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook update for phone_number_id {PhoneNumberId}, which no tenant owns, acknowledged and dropped")]
    private partial void LogUnknownTenant(string phoneNumberId);
}
