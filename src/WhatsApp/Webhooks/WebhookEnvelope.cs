using System.Text.Json.Nodes;

namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>
/// Meta's webhook envelope, built in one place for everything that plays Meta (the stand-in, the tests and the
/// benchmarks): <c>{"object":"whatsapp_business_account","entry":[{"id":…,"changes":[{"field":…,"value":…}]}]}</c>,
/// the value starting with <c>messaging_product</c> and the business number's <c>metadata</c>.
/// </summary>
public static class WebhookEnvelope
{
    /// <summary>The WhatsApp Business Account id the stand-in reports (any id: the gateway keys tenants by phone_number_id).</summary>
    public const string BusinessAccountId = "102290129340398";

    /// <summary>
    /// One change of <paramref name="field"/> (<c>messages</c>, <c>user_preferences</c>, …) for the business number
    /// <paramref name="phoneNumberId"/>; <paramref name="items"/> are the value's arrays ("contacts", "messages",
    /// "statuses", …), in order, left out when empty.
    /// </summary>
    public static JsonObject Change(
        string field, string phoneNumberId, string displayPhoneNumber, params (string Name, JsonArray Items)[] items)
    {
        var value = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject { ["display_phone_number"] = displayPhoneNumber, ["phone_number_id"] = phoneNumberId },
        };
        foreach (var (name, list) in items)
        {
            if (list.Count > 0)
            {
                value[name] = list;
            }
        }
        return new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = BusinessAccountId,
                ["changes"] = new JsonArray(new JsonObject { ["field"] = field, ["value"] = value }),
            }),
        };
    }
}
