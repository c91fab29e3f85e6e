using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>
/// Sends through <c>POST /{version}/{phone-number-id}/messages</c>. The HttpClient's resilience pipeline (see
/// <c>AddGraphApiSender</c>) retries transient HTTP failures; this class turns the answer
/// into a <c>wamid</c> or a <see cref="WhatsAppApiException"/> built on Meta's error code.
/// </summary>
public sealed class GraphApiWhatsAppSender(HttpClient http, IOptions<GraphApiOptions> options) : IWhatsAppSender
{
    public Task<string> SendTextAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken) =>
        SendAsync(phoneNumberId, recipient, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["type"] = "text",
            ["text"] = new JsonObject { ["preview_url"] = false, ["body"] = text },
        }, callbackData, cancellationToken);

    public Task<string> SendQuotingTextAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string quotedMessageId, string? callbackData, CancellationToken cancellationToken) =>
        SendAsync(phoneNumberId, recipient, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["context"] = new JsonObject { ["message_id"] = quotedMessageId },
            ["type"] = "text",
            ["text"] = new JsonObject { ["preview_url"] = false, ["body"] = text },
        }, callbackData, cancellationToken);

    public Task<string> SendReactionAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string messageId, string emoji, string? callbackData, CancellationToken cancellationToken) =>
        SendAsync(phoneNumberId, recipient, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["type"] = "reaction",
            ["reaction"] = new JsonObject { ["message_id"] = messageId, ["emoji"] = emoji },
        }, callbackData, cancellationToken);

    public Task<string> SendLocationRequestAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken) =>
        SendAsync(phoneNumberId, recipient, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["type"] = "interactive",
            ["interactive"] = new JsonObject
            {
                ["type"] = "location_request_message",
                ["body"] = new JsonObject { ["text"] = text },
                ["action"] = new JsonObject { ["name"] = "send_location" },
            },
        }, callbackData, cancellationToken);

    public async Task MarkReadAsync(string phoneNumberId, string messageId, bool typing, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = new JsonObject { ["messaging_product"] = "whatsapp", ["status"] = "read", ["message_id"] = messageId };
        if (typing)
        {
            body["typing_indicator"] = new JsonObject { ["type"] = "text" };
        }
        using var request = new HttpRequestMessage(
            HttpMethod.Post, new Uri(settings.BaseUrl!, $"{settings.ApiVersion}/{phoneNumberId}/messages"))
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.AccessToken);
        using var response = await GraphApiErrors.SendAsync(http, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var payload = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || !Succeeded(payload))
        {
            throw GraphApiErrors.From(response.StatusCode, payload, ambiguous: false);
        }
    }

    public async Task<BlockResult> ChangeBlockAsync(string phoneNumberId, string user, bool block, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["block_users"] = new JsonArray(new JsonObject { ["user"] = user }),
        };
        using var request = new HttpRequestMessage(
            block ? HttpMethod.Post : HttpMethod.Delete, new Uri(settings.BaseUrl!, $"{settings.ApiVersion}/{phoneNumberId}/block_users"))
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.AccessToken);
        using var response = await GraphApiErrors.SendAsync(http, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var payload = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? lists = null;
        try
        {
            lists = JsonNode.Parse(payload)?["block_users"];
        }
        catch (JsonException)
        {
        }
        if (!response.IsSuccessStatusCode && lists?["failed_users"] is null)
        {
            throw GraphApiErrors.From(response.StatusCode, payload, ambiguous: false);
        }
        // Meta reports each user as added (or removed) or failed, with the failure's errors.
        if (lists?["failed_users"] is JsonArray failed && failed.Count > 0)
        {
            var error = failed[0]?["errors"]?[0];
            return new BlockResult(false, error?["code"]?.GetValue<int>(), error?["message"]?.GetValue<string>() ?? error?["title"]?.GetValue<string>());
        }
        if (!response.IsSuccessStatusCode)
        {
            throw GraphApiErrors.From(response.StatusCode, payload, ambiguous: false);
        }
        return new BlockResult(true, null, null);
    }

    private static bool Succeeded(string payload)
    {
        try
        {
            return JsonNode.Parse(payload)?["success"]?.GetValue<bool>() == true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    public Task<string> SendTemplateAsync(
        string phoneNumberId, WhatsAppRecipient recipient, WhatsAppTemplate message, string? callbackData, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parameters = new JsonArray([.. message.BodyParameters.Select(p => (JsonNode)new JsonObject { ["type"] = "text", ["text"] = p })]);
        var content = new JsonObject { ["name"] = message.Name, ["language"] = new JsonObject { ["code"] = message.Language } };
        if (parameters.Count > 0)
        {
            content["components"] = new JsonArray(new JsonObject { ["type"] = "body", ["parameters"] = parameters });
        }
        return SendAsync(phoneNumberId, recipient, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["type"] = "template",
            ["template"] = content,
        }, callbackData, cancellationToken);
    }

    private async Task<string> SendAsync(
        string phoneNumberId, WhatsAppRecipient recipient, JsonObject body, string? callbackData, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (callbackData is not null)
        {
            // Echoed in every status webhook of this message: it names the citizen, whatever identity Meta reports.
            body["biz_opaque_callback_data"] = callbackData;
        }
        if (recipient.PhoneNumber is not null)
        {
            body["to"] = recipient.PhoneNumber;
        }
        else
        {
            body["recipient"] = recipient.BusinessScopedUserId
                ?? throw new ArgumentException("A recipient needs a phone number or a BSUID.", nameof(recipient));
        }

        using var request = new HttpRequestMessage(
            HttpMethod.Post, new Uri(settings.BaseUrl!, $"{settings.ApiVersion}/{phoneNumberId}/messages"))
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.AccessToken);

        using (var response = await GraphApiErrors.SendAsync(http, request, HttpCompletionOption.ResponseContentRead, cancellationToken))
        {
            var payload = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode && TryReadMessageId(payload, out var wamid))
            {
                return wamid;
            }
            throw GraphApiErrors.From(response.StatusCode, payload, ambiguous: GraphApiErrors.MayHaveBeenSent(response.StatusCode));
        }
    }

    private static bool TryReadMessageId(string payload, out string wamid)
    {
        wamid = "";
        try
        {
            var id = JsonNode.Parse(payload)?["messages"]?[0]?["id"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(id))
            {
                wamid = id;
                return true;
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        return false;
    }
}
