using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>The citizen's side: what a phone sends (signed webhooks) and what it received (the sent log).</summary>
public static partial class CitizenPhoneEndpoints
{
    public const string HttpClientName = "webhook";

    /// <summary>
    /// A citizen's message to the business number: a text (optionally quoting a message), or a reaction, an edit or a
    /// deletion of an earlier one, as Meta's webhooks carry them.
    /// </summary>
    /// <param name="From">The citizen's number in E.164 ("+4915112345678").</param>
    /// <param name="Text">What they write (for an edit: the new text).</param>
    /// <param name="Name">Their WhatsApp profile name.</param>
    /// <param name="UserId">Their business-scoped user id; made up from the number when omitted.</param>
    /// <param name="Username">Their WhatsApp username (2026), sent in <c>contacts[].profile.username</c>.</param>
    /// <param name="ReplyTo">The wamid of the message they quote (<c>context.id</c>).</param>
    /// <param name="ReactTo">The wamid of the message they react to; <paramref name="Emoji"/> empty removes the reaction.</param>
    /// <param name="Emoji">The reaction's emoji.</param>
    /// <param name="Edits">The wamid of their own message they edit (<c>type: "edit"</c>).</param>
    /// <param name="Revokes">The wamid of their own message they delete (<c>type: "revoke"</c>).</param>
    /// <param name="WhatsAppMessageId">The wamid to use (a reaction's removal reuses the reaction's); new when omitted.</param>
    public sealed record CitizenMessage(
        string From, string? Text, string? Name = null, string? UserId = null, string? Username = null, string? ReplyTo = null,
        string? ReactTo = null, string? Emoji = null, string? Edits = null, string? Revokes = null, string? WhatsAppMessageId = null);

    /// <summary>What staff send from the WhatsApp Business app on the same number (Coexistence): an echo to the service.</summary>
    /// <param name="To">The citizen's number in E.164.</param>
    /// <param name="Text">The text (for an edit: the new text).</param>
    /// <param name="Edits">The wamid of the app message staff edit.</param>
    /// <param name="Revokes">The wamid of the app message staff delete.</param>
    public sealed record AppMessage(string To, string? Text, string? Edits = null, string? Revokes = null);

    public static IEndpointRouteBuilder MapCitizenPhone(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/simulator");
        group.MapPost("/citizens/messages", SendAsCitizenAsync);
        group.MapPost("/business-app/messages", SendFromBusinessAppAsync);
        group.MapPost("/faults", (FaultPlan plan, MetaBehaviour behaviour) =>
        {
            behaviour.Faults = plan;
            return Results.NoContent();
        });
        group.MapDelete("/faults", (MetaBehaviour behaviour) =>
        {
            behaviour.Faults = new FaultPlan();
            return Results.NoContent();
        });
        group.MapGet("/messages", (string? to, SentMessageLog log) => Results.Json(log.List(to).Select(m => new
        {
            m.Id,
            m.To,
            m.Recipient,
            m.Type,
            m.Text,
            m.AcceptedAt,
            QuotedMessageId = m.Body["context"]?["message_id"]?.GetValue<string>(),
            ReactionTo = m.Body["reaction"]?["message_id"]?.GetValue<string>(),
        })));
        group.MapGet("/read-receipts", (ReadReceiptLog receipts) => Results.Json(receipts.List()));
        app.MapGet("/", (SentMessageLog log) => Results.Content(Page(log.List(null)), "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> SendAsCitizenAsync(
        CitizenMessage message, IHttpClientFactory http, IOptions<SimulatorOptions> options, MetaBehaviour behaviour, TimeProvider time)
    {
        if (message?.From is null || !PhoneNumber().IsMatch(message.From))
        {
            return Results.Problem("from must be a phone number in E.164, e.g. +4915112345678.", statusCode: 400);
        }
        var textNeeded = message.ReactTo is null && message.Revokes is null;
        if ((textNeeded && string.IsNullOrEmpty(message.Text)) || message.Text?.Length > 4096)
        {
            return Results.Problem("text must have 1 to 4096 characters.", statusCode: 400);
        }
        if (new[] { message.ReactTo, message.Edits, message.Revokes }.Count(w => w is not null) > 1)
        {
            return Results.Problem("A message reacts to, edits or deletes one message, not several at once.", statusCode: 400);
        }
        var settings = options.Value;
        var waId = message.From[1..];
        var userId = message.UserId ?? BusinessScopedUserIdFor(waId);
        var wamid = message.WhatsAppMessageId ?? NewWamid();
        behaviour.CitizenWrote(waId, userId);
        var item = MessageItem(wamid, time.GetUtcNow(), message.Text, message.ReplyTo, message.ReactTo, message.Emoji, message.Edits, message.Revokes);
        item["from"] = waId;
        item["from_user_id"] = userId;
        var profile = new JsonObject { ["name"] = message.Name ?? "Bürger" };
        if (message.Username is { } username)
        {
            profile["username"] = username;
        }
        var payload = WebhookEnvelope.Change("messages", settings.PhoneNumberId, settings.DisplayPhoneNumber,
            ("contacts", new JsonArray(new JsonObject { ["profile"] = profile, ["wa_id"] = waId, ["user_id"] = userId })),
            ("messages", new JsonArray(item)));
        return Results.Json(new { whatsAppMessageId = wamid, gatewayStatus = await PostSignedAsync(http, settings, payload) });
    }

    private static async Task<IResult> SendFromBusinessAppAsync(
        AppMessage message, IHttpClientFactory http, IOptions<SimulatorOptions> options, TimeProvider time)
    {
        if (message?.To is null || !PhoneNumber().IsMatch(message.To))
        {
            return Results.Problem("to must be a phone number in E.164, e.g. +4915112345678.", statusCode: 400);
        }
        if ((message.Revokes is null && string.IsNullOrEmpty(message.Text)) || message.Text?.Length > 4096)
        {
            return Results.Problem("text must have 1 to 4096 characters.", statusCode: 400);
        }
        var settings = options.Value;
        var wamid = NewWamid();
        var item = MessageItem(wamid, time.GetUtcNow(), message.Text, null, null, null, message.Edits, message.Revokes);
        item["from"] = settings.DisplayPhoneNumber.TrimStart('+').Replace(" ", "", StringComparison.Ordinal);
        item["to"] = message.To[1..];
        item["to_user_id"] = BusinessScopedUserIdFor(message.To[1..]);
        var payload = WebhookEnvelope.Change("smb_message_echoes", settings.PhoneNumberId, settings.DisplayPhoneNumber,
            ("message_echoes", new JsonArray(item)));
        return Results.Json(new { whatsAppMessageId = wamid, gatewayStatus = await PostSignedAsync(http, settings, payload) });
    }

    // One messages[] (or message_echoes[]) item as Meta documents its types: text with context, reaction, edit, revoke.
    private static JsonObject MessageItem(
        string wamid, DateTimeOffset at, string? text, string? replyTo, string? reactTo, string? emoji, string? edits, string? revokes)
    {
        var item = new JsonObject { ["id"] = wamid, ["timestamp"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };
        if (reactTo is not null)
        {
            var reaction = new JsonObject { ["message_id"] = reactTo };
            if (!string.IsNullOrEmpty(emoji))
            {
                reaction["emoji"] = emoji; // a removal comes without emoji
            }
            item["type"] = "reaction";
            item["reaction"] = reaction;
        }
        else if (edits is not null)
        {
            item["type"] = "edit";
            item["edit"] = new JsonObject
            {
                ["original_message_id"] = edits,
                ["message"] = new JsonObject { ["type"] = "text", ["text"] = new JsonObject { ["body"] = text } },
            };
        }
        else if (revokes is not null)
        {
            item["type"] = "revoke";
            item["revoke"] = new JsonObject { ["original_message_id"] = revokes };
        }
        else
        {
            item["type"] = "text";
            item["text"] = new JsonObject { ["body"] = text };
        }
        if (replyTo is not null)
        {
            item["context"] = new JsonObject { ["id"] = replyTo };
        }
        return item;
    }

    private static async Task<int> PostSignedAsync(IHttpClientFactory http, SimulatorOptions settings, JsonObject payload)
    {
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        content.Headers.Add(WebhookSignature.HeaderName, new WebhookSignature(settings.AppSecret).Sign(body));
        using var response = await http.CreateClient(HttpClientName).PostAsync(settings.WebhookUrl, content);
        return (int)response.StatusCode;
    }

    private static string NewWamid() => "wamid." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// A made-up but stable business-scoped user id for a number: like Meta's, it does not reveal the number.
    /// </summary>
    public static string BusinessScopedUserIdFor(string waId) =>
        "DE." + BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(waId))).ToString(CultureInfo.InvariantCulture);

    /// <summary>A webhook as Meta sends it for one inbound text message (Cloud API, with BSUID fields).</summary>
    public static JsonObject WebhookPayloadFor(
        SimulatorOptions settings, string waId, string userId, string name, string wamid, string text, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return WebhookEnvelope.Change("messages", settings.PhoneNumberId, settings.DisplayPhoneNumber,
            ("contacts", new JsonArray(new JsonObject
            {
                ["profile"] = new JsonObject { ["name"] = name },
                ["wa_id"] = waId,
                ["user_id"] = userId,
            })),
            ("messages", new JsonArray(new JsonObject
            {
                ["from"] = waId,
                ["from_user_id"] = userId,
                ["id"] = wamid,
                ["timestamp"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["type"] = "text",
                ["text"] = new JsonObject { ["body"] = text },
            })));
    }

    private static string Page(IReadOnlyList<SentMessage> messages)
    {
        var rows = new StringBuilder();
        foreach (var m in messages.Reverse())
        {
            rows.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{m.AcceptedAt:HH:mm:ss}</td><td>{WebUtility.HtmlEncode(m.To ?? m.Recipient)}</td><td>{WebUtility.HtmlEncode(m.Text)}</td></tr>");
        }
        return $$"""
            <!doctype html>
            <html lang="de"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
            <title>WhatsApp-Stand-in: gesendete Nachrichten</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.4rem .8rem;text-align:left}</style>
            </head><body>
            <h1>Vom Markt Goldbach gesendet</h1>
            <p>Was die Graph-API-Attrappe angenommen hat, neueste zuerst (aktualisiert alle 3 Sekunden).</p>
            <table><thead><tr><th>Zeit (UTC)</th><th>An</th><th>Text</th></tr></thead><tbody>{{rows}}</tbody></table>
            </body></html>
            """;
    }

    [GeneratedRegex("^\\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhoneNumber();
}
