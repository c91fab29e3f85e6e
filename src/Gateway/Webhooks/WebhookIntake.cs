using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>
/// Hands a webhook's messages to the citizens' grains: each citizen's messages in timestamp order (arrival order
/// breaking ties), different citizens concurrently. Completes when all are durably recorded.
/// </summary>
public sealed partial class WebhookIntake(
    IClusterClient cluster, IOptionsMonitor<GoldbachOptions> tenants, ILogger<WebhookIntake> logger)
{
    public async Task RecordAsync(WebhookPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        foreach (var problem in payload.SkippedItems)
        {
            LogSkipped(problem);
        }

        var byCitizen = new Dictionary<CitizenKey, List<InboundMessage>>();
        foreach (var message in payload.Messages)
        {
            if (tenants.CurrentValue.Find(message.PhoneNumberId) is null)
            {
                // Acknowledged all the same: Meta would otherwise retry a message no tenant wants for a week.
                LogUnknownTenant(message.PhoneNumberId);
                continue;
            }
            // The BSUID when Meta sends a valid one, else the legacy wa_id.
            var identity = CitizenKey.IsValidIdentity(message.BusinessScopedUserId) ? message.BusinessScopedUserId : message.WaId;
            if (!CitizenKey.IsValidIdentity(identity))
            {
                LogSkipped("a message whose sender is neither a BSUID nor a wa_id");
                continue;
            }
            var key = CitizenKey.Create(message.PhoneNumberId, identity);
            if (!byCitizen.TryGetValue(key, out var list))
            {
                byCitizen[key] = list = [];
            }
            list.Add(new InboundMessage(
                message.WhatsAppMessageId,
                message.Timestamp,
                message.Type,
                message.Text,
                PhoneNumber: message.WaId is { } waId && CitizenKey.IsValidIdentity(waId) ? "+" + waId : null,
                message.ProfileName));
        }

        await Task.WhenAll(byCitizen.Select(pair => RecordInOrderAsync(pair.Key, pair.Value)));
    }

    private async Task RecordInOrderAsync(CitizenKey key, List<InboundMessage> messages)
    {
        var citizen = cluster.GetGrain<ICitizenGrain>(key.GrainKey);
        // OrderBy is stable: messages with the same timestamp keep their arrival order.
        foreach (var message in messages.OrderBy(m => m.SentAt))
        {
            await citizen.ReceiveAsync(message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook item skipped: {Problem}")]
    private partial void LogSkipped(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook message for phone_number_id {PhoneNumberId}, which no tenant owns, acknowledged and dropped")]
    private partial void LogUnknownTenant(string phoneNumberId);
}
