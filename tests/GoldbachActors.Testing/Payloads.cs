using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GoldbachActors.WhatsApp.Webhooks;
using GoldbachActors.WhatsAppSimulator;

namespace GoldbachActors.Testing;

/// <summary>
/// Webhook bodies as Meta's reference documents them, for the tests: a citizen (phone number and BSUID) and the
/// JSON of their messages and statuses, wrapped in the <c>whatsapp_business_account</c> envelope.
/// </summary>
public sealed record Citizen(string Phone, string? Name = "Erika Mustermann")
{
    public string WaId => Phone.TrimStart('+');

    public string Bsuid => CitizenPhoneEndpoints.BusinessScopedUserIdFor(WaId);

    public string ConversationName => LocalSystemHost.ConversationName(Phone);

    public string GrainKey => $"{LocalSystemHost.Tenant}/{Bsuid}";

    /// <summary>The common fields of a message from this citizen; add <c>"type"</c> and its object.</summary>
    public string From(string wamid, DateTimeOffset? at = null) =>
        $"\"from\":\"{WaId}\",\"from_user_id\":\"{Bsuid}\",\"id\":\"{wamid}\",\"timestamp\":\"{Seconds(at)}\"";

    public string Contact => $$"""{"profile":{"name":"{{Name}}"},"wa_id":"{{WaId}}","user_id":"{{Bsuid}}"}""";

    public static string Seconds(DateTimeOffset? at) =>
        (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}

public static class Payloads
{
    /// <summary>One change of field <c>messages</c> carrying <paramref name="messages"/> and <paramref name="statuses"/>.</summary>
    public static byte[] Envelope(IEnumerable<Citizen> contacts, IEnumerable<string> messages, IEnumerable<string>? statuses = null, string tenant = LocalSystemHost.Tenant)
    {
        // The fragments as tests write them, each parsed into the one envelope builder.
        static JsonArray Parsed(IEnumerable<string> items) => new([.. items.Select(i => JsonNode.Parse(i))]);
        var payload = WebhookEnvelope.Change("messages", tenant, "4960215000",
            ("contacts", Parsed(contacts.Select(c => c.Contact))),
            ("messages", Parsed(messages.Select(m => "{" + m + "}"))),
            ("statuses", Parsed((statuses ?? []).Select(s => "{" + s + "}"))));
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }

    public static byte[] Messages(Citizen citizen, params string[] messages) => Envelope([citizen], messages);

    /// <summary>A status of a message the town sent, as Meta reports it.</summary>
    public static string Status(string wamid, string status, Citizen recipient, string? callbackData, DateTimeOffset? at = null, bool withUserId = true, string? errors = null)
    {
        var fields = new StringBuilder();
        fields.Append(CultureInfo.InvariantCulture, $"\"id\":\"{wamid}\",\"status\":\"{status}\",\"timestamp\":\"{Citizen.Seconds(at)}\",\"recipient_id\":\"{recipient.WaId}\"");
        if (withUserId)
        {
            fields.Append(CultureInfo.InvariantCulture, $",\"recipient_user_id\":\"{recipient.Bsuid}\"");
        }
        if (callbackData is not null)
        {
            fields.Append(CultureInfo.InvariantCulture, $",\"biz_opaque_callback_data\":\"{callbackData}\"");
        }
        if (errors is not null)
        {
            fields.Append(",\"errors\":").Append(errors);
        }
        return fields.ToString();
    }
}
