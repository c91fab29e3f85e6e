using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using GoldbachActors.Contracts;

namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>
/// Reads Meta's webhook envelope: <c>object</c>, <c>entry[]</c> × <c>changes[]</c>, routed by <c>field</c> and
/// <c>value.metadata.phone_number_id</c>; <c>value.messages[]</c> of every type, <c>value.statuses[]</c>,
/// <c>value.errors[]</c> and the other fields. An odd item is skipped and described (without personal data); only a
/// body that is not a WhatsApp Business Account webhook at all is rejected. A message type this code does not know is
/// kept as unsupported.
/// </summary>
public static partial class WebhookPayloadParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <exception cref="MalformedWebhookException">Not JSON, or not a <c>whatsapp_business_account</c> envelope.</exception>
    public static WebhookPayload Parse(ReadOnlyMemory<byte> body)
    {
        if (!Utf8.IsValid(body.Span))
        {
            throw new MalformedWebhookException("The body is not valid UTF-8.");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new MalformedWebhookException("The body is not valid JSON.", ex);
        }
        catch (ArgumentException ex)
        {
            throw new MalformedWebhookException("The body is not valid UTF-8 JSON.", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Str(root, "object") != "whatsapp_business_account")
            {
                throw new MalformedWebhookException("The body is not a whatsapp_business_account webhook.");
            }
            if (!root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new MalformedWebhookException("The webhook has no entry array.");
            }

            var result = new Collector();
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
                        var path = $"entry[{entryIndex}].changes[{changeIndex}]";
                        try
                        {
                            ReadChange(change, path, result);
                        }
                        catch (InvalidOperationException)
                        {
                            // A string that is no text (e.g. an escaped lone surrogate) where the envelope needs one.
                            result.Skipped.Add($"{path}: unreadable text in the envelope");
                        }
                        changeIndex++;
                    }
                }
                else
                {
                    result.Skipped.Add($"entry[{entryIndex}]: no changes array");
                }
                entryIndex++;
            }
            return new WebhookPayload(result.Messages, result.Statuses, result.Notifications, result.Skipped) { Preferences = result.Preferences, Echoes = result.Echoes };
        }
    }

    private sealed class Collector
    {
        public List<WebhookMessage> Messages { get; } = [];

        public List<WebhookMessage> Echoes { get; } = [];

        public List<WebhookStatus> Statuses { get; } = [];

        public List<WebhookNotification> Notifications { get; } = [];

        public List<string> Skipped { get; } = [];

        public List<WebhookPreference> Preferences { get; } = [];
    }

    private static void ReadChange(JsonElement change, string path, Collector result)
    {
        if (change.ValueKind != JsonValueKind.Object
            || !change.TryGetProperty("value", out var value)
            || value.ValueKind != JsonValueKind.Object)
        {
            result.Skipped.Add($"{path}: no value object");
            return;
        }
        var field = Str(change, "field");
        if (field == "user_preferences")
        {
            result.Notifications.Add(new WebhookNotification(field,
                Str(value, "value") ?? Array(value, "user_preferences").Select(p => Str(p, "value")).FirstOrDefault(v => v is not null)));
            ReadPreferences(value, path, result);
            return;
        }
        if (field == "smb_message_echoes")
        {
            // What staff sent from the WhatsApp Business app on the same number (Coexistence): the town's own messages.
            ReadMessages(value, path, "message_echoes", echo: true, result);
            return;
        }
        if (field == "history")
        {
            // The Business app's chat history after onboarding: counted by phase and progress, not imported.
            foreach (var chunk in Array(value, "history"))
            {
                var meta = Obj(chunk, "metadata");
                var messages = Array(chunk, "threads").Sum(thread => Array(thread, "messages").Count());
                result.Notifications.Add(new WebhookNotification(field,
                    meta is { } m ? $"phase {Int(m, "phase")}, chunk {Int(m, "chunk_order")}, progress {Int(m, "progress")}, {messages} messages" : $"{messages} messages"));
            }
            foreach (var error in Array(value, "errors"))
            {
                result.Notifications.Add(new WebhookNotification(field, $"error {Int(error, "code")}"));
            }
            return;
        }
        if (field != "messages")
        {
            // Account, template, quality, preference updates…: recorded by kind only (they are not conversations).
            result.Notifications.Add(new WebhookNotification(field ?? "(none)", Str(value, "event") ?? Str(value, "value")));
            return;
        }
        var phoneNumberId = Obj(value, "metadata") is { } metadata ? Str(metadata, "phone_number_id") : null;
        if (phoneNumberId is null)
        {
            result.Skipped.Add($"{path}: no metadata.phone_number_id");
            return;
        }

        foreach (var error in Array(value, "errors"))
        {
            result.Notifications.Add(new WebhookNotification("errors", Int(error, "code")?.ToString(CultureInfo.InvariantCulture)));
        }

        ReadMessages(value, path, "messages", echo: false, result);

        var index = 0;
        foreach (var item in Array(value, "statuses"))
        {
            var problem = Guarded(() => TryReadStatus(phoneNumberId, item, out var read) ?? (object?)read);
            var status = problem as WebhookStatus;
            if (status is not null)
            {
                result.Statuses.Add(status);
            }
            else
            {
                result.Skipped.Add($"{path}.value.statuses[{index}]: {problem}");
            }
            index++;
        }
    }

    // value.messages[] (a citizen's messages) or value.message_echoes[] (the town's, sent from the Business app).
    private static void ReadMessages(JsonElement value, string path, string name, bool echo, Collector result)
    {
        var phoneNumberId = Obj(value, "metadata") is { } metadata ? Str(metadata, "phone_number_id") : null;
        if (phoneNumberId is null)
        {
            result.Skipped.Add($"{path}: no metadata.phone_number_id");
            return;
        }
        var index = 0;
        foreach (var item in Array(value, name))
        {
            var problem = Guarded(() => TryReadMessage(phoneNumberId, value, item, echo, out var read) ?? (object?)read);
            if (problem is WebhookMessage message)
            {
                (echo ? result.Echoes : result.Messages).Add(message);
            }
            else
            {
                result.Skipped.Add($"{path}.value.{name}[{index}]: {problem}");
            }
            index++;
        }
    }

    // Reads one item; an item with unreadable text (an escaped lone surrogate, say) is skipped, not a crash.
    private static object? Guarded(Func<object?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return "unreadable text";
        }
    }

    private static string? TryReadMessage(string phoneNumberId, JsonElement value, JsonElement item, bool echo, out WebhookMessage? message)
    {
        message = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            return "not an object";
        }
        var id = Str(item, "id");
        if (string.IsNullOrEmpty(id))
        {
            return "no id";
        }
        // An echo goes from the business to the citizen: the citizen is its recipient.
        var waId = Str(item, echo ? "to" : "from");
        var bsuid = Str(item, echo ? "to_user_id" : "from_user_id");
        // A system notice's wa_id / user_id are the citizen's new identities; the sender is the old one.
        var type = Str(item, "type") ?? "unsupported";
        if (waId is null && bsuid is null)
        {
            return echo ? "no recipient (neither to nor to_user_id)" : "no sender (neither from nor from_user_id)";
        }
        if (!TryReadTimestamp(item, out var timestamp))
        {
            return "no valid timestamp";
        }

        var (profileName, contactWaId, username) = echo ? (null, null, null) : Contact(value, waId, bsuid);
        waId ??= contactWaId;
        var inbound = new InboundMessage(id, timestamp, type, null, waId is null ? null : "+" + waId, profileName)
        {
            Context = ReadContext(item),
            GroupId = Str(item, "group_id"),
            Errors = ReadErrors(item),
            Username = username,
        };
        message = new WebhookMessage(phoneNumberId, new WebhookIdentity(waId, bsuid), ReadContent(inbound, item, type));
        return null;
    }

    private static ImmutableArray<WhatsAppError> ReadErrors(JsonElement item) =>
        [.. Array(item, "errors").Select(e => new WhatsAppError(
            Int(e, "code") ?? 0,
            Str(e, "title") ?? Str(e, "message"),
            Obj(e, "error_data") is { } data ? Str(data, "details") : null))];

    private static string? TryReadStatus(string phoneNumberId, JsonElement item, out WebhookStatus? status)
    {
        status = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            return "not an object";
        }
        var id = Str(item, "id");
        var state = Str(item, "status");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(state))
        {
            return "no id or status";
        }
        if (!TryReadTimestamp(item, out var timestamp))
        {
            return "no valid timestamp";
        }
        status = new WebhookStatus(
            phoneNumberId,
            new WebhookIdentity(Str(item, "recipient_id"), Str(item, "recipient_user_id")),
            Str(item, "biz_opaque_callback_data"),
            new DeliveryReport(id, state, timestamp, ReadErrors(item)));
        return null;
    }

    // value.contacts[] names the senders; match on the BSUID or the wa_id.
    private static (string? ProfileName, string? WaId, string? Username) Contact(JsonElement value, string? waId, string? bsuid)
    {
        var contacts = Array(value, "contacts").ToList();
        foreach (var contact in contacts)
        {
            var matches = (bsuid is not null && Str(contact, "user_id") == bsuid)
                || (waId is not null && Str(contact, "wa_id") == waId);
            if (matches)
            {
                var profile = Obj(contact, "profile");
                return (profile is { } p ? Str(p, "name") : null, Str(contact, "wa_id"), profile is { } u ? Str(u, "username") : null);
            }
        }
        return (null, null, null);
    }

    // user_preferences: a citizen stopped or resumed marketing messages in WhatsApp.
    private static void ReadPreferences(JsonElement value, string path, Collector result)
    {
        var phoneNumberId = Obj(value, "metadata") is { } metadata ? Str(metadata, "phone_number_id") : null;
        if (phoneNumberId is null)
        {
            result.Skipped.Add($"{path}: no metadata.phone_number_id");
            return;
        }
        var index = 0;
        foreach (var item in Array(value, "user_preferences"))
        {
            var problem = Guarded(() =>
            {
                var waId = Str(item, "wa_id");
                var userId = Str(item, "user_id");
                var preference = Str(item, "value");
                if (waId is null && userId is null)
                {
                    return "no wa_id or user_id";
                }
                if (preference is not ("stop" or "resume"))
                {
                    return "value is neither stop nor resume";
                }
                var at = item.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var seconds)
                    && seconds is > 0 and < 253_402_300_799
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : TryReadTimestamp(item, out var text) ? text : (DateTimeOffset?)null;
                if (at is null)
                {
                    return "no valid timestamp";
                }
                return new WebhookPreference(phoneNumberId, new WebhookIdentity(waId, userId), Str(item, "category") ?? "marketing_messages", preference == "stop", at.Value);
            });
            if (problem is WebhookPreference read)
            {
                result.Preferences.Add(read);
            }
            else
            {
                result.Skipped.Add($"{path}.value.user_preferences[{index}]: {problem}");
            }
            index++;
        }
    }

    private static bool TryReadTimestamp(JsonElement item, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var text = Str(item, "timestamp");
        if (text is null
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253_402_300_799) // 9999-12-31
        {
            return false;
        }
        timestamp = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object)
            : [];

    private static JsonElement? Obj(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Object
            ? property
            : null;

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var property)
        && property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : null;

    private static bool Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.True;

    private static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var property)
        && property.ValueKind == JsonValueKind.Number
        && property.TryGetInt32(out var number)
            ? number
            : null;

    // Meta sends coordinates as numbers; some clients send them as strings.
    private static double? Num(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var property))
        {
            return null;
        }
        if (property.ValueKind == JsonValueKind.Number && property.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }
        return property.ValueKind == JsonValueKind.String
            && double.TryParse(property.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed)
                ? parsed
                : null;
    }
}
