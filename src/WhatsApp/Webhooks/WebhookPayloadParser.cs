using System.Globalization;
using System.Text.Json;

namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>
/// Reads Meta's webhook envelope: <c>object</c>, <c>entry[]</c> × <c>changes[]</c> × <c>value.messages[]</c>.
/// An odd item is skipped and described (without personal data); only a body that is not a WhatsApp Business
/// Account webhook at all is rejected.
/// </summary>
public static class WebhookPayloadParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <exception cref="MalformedWebhookException">Not JSON, or not a <c>whatsapp_business_account</c> envelope.</exception>
    public static WebhookPayload Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new MalformedWebhookException("The body is not valid JSON.", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("object", out var kind)
                || kind.ValueKind != JsonValueKind.String
                || kind.GetString() != "whatsapp_business_account")
            {
                throw new MalformedWebhookException("The body is not a whatsapp_business_account webhook.");
            }
            if (!root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new MalformedWebhookException("The webhook has no entry array.");
            }

            var messages = new List<WebhookMessage>();
            var skipped = new List<string>();
            var entryIndex = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("changes", out var changes)
                    && changes.ValueKind == JsonValueKind.Array)
                {
                    var changeIndex = 0;
                    foreach (var change in changes.EnumerateArray())
                    {
                        ReadChange(change, $"entry[{entryIndex}].changes[{changeIndex}]", messages, skipped);
                        changeIndex++;
                    }
                }
                else
                {
                    skipped.Add($"entry[{entryIndex}]: no changes array");
                }
                entryIndex++;
            }
            return new WebhookPayload(messages, skipped);
        }
    }

    private static void ReadChange(JsonElement change, string path, List<WebhookMessage> messages, List<string> skipped)
    {
        if (change.ValueKind != JsonValueKind.Object
            || !change.TryGetProperty("value", out var value)
            || value.ValueKind != JsonValueKind.Object)
        {
            skipped.Add($"{path}: no value object");
            return;
        }
        if (String(change, "field") != "messages")
        {
            return;
        }
        var phoneNumberId = value.TryGetProperty("metadata", out var metadata) ? String(metadata, "phone_number_id") : null;
        if (phoneNumberId is null)
        {
            skipped.Add($"{path}: no metadata.phone_number_id");
            return;
        }
        if (!value.TryGetProperty("messages", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (TryReadMessage(phoneNumberId, value, item, out var message, out var problem))
            {
                messages.Add(message);
            }
            else
            {
                skipped.Add($"{path}.value.messages[{index}]: {problem}");
            }
            index++;
        }
    }

    private static bool TryReadMessage(
        string phoneNumberId, JsonElement value, JsonElement item, out WebhookMessage message, out string problem)
    {
        message = null!;
        if (item.ValueKind != JsonValueKind.Object)
        {
            problem = "not an object";
            return false;
        }
        var id = String(item, "id");
        var type = String(item, "type") ?? "unsupported";
        var waId = String(item, "from");
        var bsuid = String(item, "from_user_id");
        if (string.IsNullOrEmpty(id))
        {
            problem = "no id";
            return false;
        }
        if (waId is null && bsuid is null)
        {
            problem = "no sender (neither from nor from_user_id)";
            return false;
        }
        if (!TryReadTimestamp(item, out var timestamp))
        {
            problem = "no valid timestamp";
            return false;
        }
        var text = type == "text" && item.TryGetProperty("text", out var textObject) ? String(textObject, "body") : null;
        message = new WebhookMessage(
            phoneNumberId, waId, bsuid, ProfileName(value, waId, bsuid), id, timestamp, type, text);
        problem = "";
        return true;
    }

    // value.contacts[] names the senders; match on the BSUID or the wa_id.
    private static string? ProfileName(JsonElement value, string? waId, string? bsuid)
    {
        if (!value.TryGetProperty("contacts", out var contacts) || contacts.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        foreach (var contact in contacts.EnumerateArray())
        {
            if (contact.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var matches = (bsuid is not null && String(contact, "user_id") == bsuid)
                || (waId is not null && String(contact, "wa_id") == waId);
            if (matches && contact.TryGetProperty("profile", out var profile))
            {
                return String(profile, "name");
            }
        }
        return null;
    }

    private static bool TryReadTimestamp(JsonElement item, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var text = String(item, "timestamp");
        if (text is null
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }
        timestamp = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var property)
        && property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : null;
}
