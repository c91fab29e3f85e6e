using System.Globalization;
using System.Text;
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
        var value = new StringBuilder();
        value.Append(CultureInfo.InvariantCulture, $$"""{"messaging_product":"whatsapp","metadata":{"display_phone_number":"4960215000","phone_number_id":"{{tenant}}"}""");
        var contactList = contacts.Select(c => c.Contact).ToList();
        if (contactList.Count > 0)
        {
            value.Append(",\"contacts\":[").AppendJoin(',', contactList).Append(']');
        }
        var messageList = messages.ToList();
        if (messageList.Count > 0)
        {
            value.Append(",\"messages\":[").AppendJoin(',', messageList.Select(m => "{" + m + "}")).Append(']');
        }
        var statusList = statuses?.ToList() ?? [];
        if (statusList.Count > 0)
        {
            value.Append(",\"statuses\":[").AppendJoin(',', statusList.Select(s => "{" + s + "}")).Append(']');
        }
        value.Append('}');
        return Encoding.UTF8.GetBytes(
            $$"""{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{{value}}}]}]}""");
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
