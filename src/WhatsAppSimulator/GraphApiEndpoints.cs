using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>
/// <c>POST /{version}/{phone-number-id}/messages</c> as the Cloud API answers it: a <c>wamid.</c> id for a valid
/// request, Meta's error shape (<c>{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}</c>)
/// for an invalid one.
/// </summary>
public static partial class GraphApiEndpoints
{
    private const int MaxTextLength = 4096;

    public static IEndpointRouteBuilder MapGraphApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{version:regex(^v[0-9]+\\.[0-9]+$)}/{phoneNumberId:regex(^[0-9]+$)}/messages", SendAsync);
        app.MapPost("/{version:regex(^v[0-9]+\\.[0-9]+$)}/{phoneNumberId:regex(^[0-9]+$)}/block_users",
            (HttpRequest request, IOptions<SimulatorOptions> options, MetaBehaviour behaviour) => BlockUsersAsync(request, options, behaviour, block: true));
        app.MapDelete("/{version:regex(^v[0-9]+\\.[0-9]+$)}/{phoneNumberId:regex(^[0-9]+$)}/block_users",
            (HttpRequest request, IOptions<SimulatorOptions> options, MetaBehaviour behaviour) => BlockUsersAsync(request, options, behaviour, block: false));
        return app;
    }

    private static async Task<IResult> SendAsync(
        string phoneNumberId, HttpRequest request, SentMessageLog log, ReadReceiptLog receipts, IOptions<SimulatorOptions> options,
        MetaBehaviour behaviour, StatusReporter statuses, TimeProvider time)
    {
        var expected = $"Bearer {options.Value.AccessToken}";
        if (!string.Equals(request.Headers.Authorization.ToString(), expected, StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status401Unauthorized, 190, "Invalid OAuth access token.", "The access token is missing or wrong.");
        }
        if (behaviour.FaultBeforeProcessing() is { } fault)
        {
            return Error(fault.Status, fault.Code, fault.Message, "Injected by the stand-in.");
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "The body is not a JSON object.");
        }
        if (Text(body, "messaging_product") != "whatsapp")
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "messaging_product must be \"whatsapp\".");
        }

        if (Text(body, "status") is { } status)
        {
            return MarkRead(phoneNumberId, body, status, receipts, time);
        }

        var to = Text(body, "to");
        var recipient = Text(body, "recipient");
        if (to is null && recipient is null)
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "Either to or recipient is required.");
        }
        if (to is not null && !PhoneNumber().IsMatch(to))
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "to is not a phone number in E.164.");
        }
        if (to is null && recipient is not null && !Bsuid().IsMatch(recipient))
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "recipient is not a business-scoped user id.");
        }

        var type = Text(body, "type") ?? "text";
        string? text = null;
        if (type == "text")
        {
            text = body["text"] is JsonObject textObject ? Text(textObject, "body") : null;
            if (string.IsNullOrEmpty(text))
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "text.body is required.");
            }
            if (text.Length > MaxTextLength)
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", $"text.body has more than {MaxTextLength} characters.");
            }
        }
        else if (type == "template")
        {
            var template = body["template"] as JsonObject;
            var name = template is null ? null : Text(template, "name");
            var language = template?["language"] is JsonObject languageObject ? Text(languageObject, "code") : null;
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(language))
            {
                return Error(StatusCodes.Status400BadRequest, 132000, "Template name or language missing", "template.name and template.language.code are required.");
            }
            text = $"[Vorlage {name} ({language})]";
        }
        else if (type == "reaction")
        {
            var reaction = body["reaction"] as JsonObject;
            var target = reaction is null ? null : Text(reaction, "message_id");
            if (string.IsNullOrEmpty(target) || reaction!["emoji"] is not JsonValue emojiValue || !emojiValue.TryGetValue<string>(out var emoji))
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "reaction.message_id and reaction.emoji are required.");
            }
            if (body["context"] is not null)
            {
                // Meta: "You cannot send a reaction message as a contextual reply".
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "A reaction cannot be a contextual reply.");
            }
            text = emoji;
        }
        else if (type == "interactive")
        {
            // Of the interactive messages only Meta's location request (2026 reference, section 4): a body of at most
            // 1,024 characters and the fixed action send_location.
            var interactive = body["interactive"] as JsonObject;
            var kind = interactive is null ? null : Text(interactive, "type");
            if (kind != "location_request_message")
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", $"The stand-in sends no interactive type \"{kind}\".");
            }
            text = interactive!["body"] is JsonObject bodyObject ? Text(bodyObject, "text") : null;
            if (string.IsNullOrEmpty(text) || text.Length > 1024)
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "interactive.body.text is required and has at most 1024 characters.");
            }
            if (interactive["action"] is not JsonObject action || Text(action, "name") != "send_location")
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "interactive.action.name must be send_location.");
            }
        }
        else
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", $"The stand-in does not send type \"{type}\".");
        }
        if (body["context"] is { } context && (context is not JsonObject quoted || !(Text(quoted, "message_id")?.StartsWith("wamid.", StringComparison.Ordinal) ?? false)))
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "context.message_id must be a wamid.");
        }
        if (body["biz_opaque_callback_data"] is JsonValue callback && callback.TryGetValue<string>(out var data) && data.Length > 512)
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "biz_opaque_callback_data has more than 512 characters.");
        }
        if (behaviour.Refusal(phoneNumberId, to ?? recipient!, freeText: type != "template") is { } refusal)
        {
            return Error(refusal.Status, refusal.Code, refusal.Message, refusal.Code == 131047
                ? "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
                : "Limit reached; try again later.");
        }

        var wamid = "wamid." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var sent = new SentMessage(wamid, phoneNumberId, to, recipient, type, text, time.GetUtcNow(), body);
        log.Add(sent);
        statuses.Accepted(sent);
        if (behaviour.AnswerDelay() is var delay && delay > TimeSpan.Zero)
        {
            // Accepted, but the answer comes late: the sender's timeout makes this an ambiguous outcome.
            await Task.Delay(delay, time, request.HttpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        if (behaviour.FaultAfterAccepting() is { } late)
        {
            return Error(late.Status, late.Code, late.Message, "Injected by the stand-in after the message was accepted.");
        }
        var contact = new JsonObject { ["input"] = to ?? recipient };
        if (to is not null)
        {
            contact["wa_id"] = to.TrimStart('+');
        }
        else
        {
            contact["user_id"] = recipient;
        }
        return Results.Json(new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["contacts"] = new JsonArray(contact),
            ["messages"] = new JsonArray(new JsonObject { ["id"] = wamid }),
        });
    }

    // Meta's Block Users API: {"messaging_product":"whatsapp","block_users":[{"user":"+49…"}]} → added_users / failed_users.
    private static async Task<IResult> BlockUsersAsync(HttpRequest request, IOptions<SimulatorOptions> options, MetaBehaviour behaviour, bool block)
    {
        if (!string.Equals(request.Headers.Authorization.ToString(), $"Bearer {options.Value.AccessToken}", StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status401Unauthorized, 190, "Invalid OAuth access token.", "The access token is missing or wrong.");
        }
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null || Text(body, "messaging_product") != "whatsapp" || body["block_users"] is not JsonArray users || users.Count == 0)
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "block_users must list at least one user.");
        }
        if (users.Count > 1000)
        {
            return Error(StatusCodes.Status400BadRequest, 130429, "Rate limit hit", "At most 1,000 users per request.");
        }
        var done = new JsonArray();
        var failed = new JsonArray();
        foreach (var user in users.OfType<JsonObject>().Select(u => Text(u, "user")))
        {
            if (user is null || !(PhoneNumber().IsMatch(user) || Bsuid().IsMatch(user)))
            {
                failed.Add(new JsonObject { ["input"] = user, ["errors"] = new JsonArray(new JsonObject { ["code"] = 139100, ["message"] = "Not a valid WhatsApp user." }) });
                continue;
            }
            if (behaviour.ChangeBlock(user, block) is { } refusal)
            {
                failed.Add(new JsonObject
                {
                    ["input"] = user,
                    ["wa_id"] = user.TrimStart('+'),
                    ["errors"] = new JsonArray(new JsonObject { ["code"] = refusal.Code, ["message"] = refusal.Message }),
                });
                continue;
            }
            done.Add(new JsonObject { ["input"] = user, ["wa_id"] = user.TrimStart('+') });
        }
        var lists = new JsonObject { [block ? "added_users" : "removed_users"] = done };
        if (failed.Count > 0)
        {
            lists["failed_users"] = failed;
        }
        var answer = new JsonObject { ["messaging_product"] = "whatsapp", ["block_users"] = lists };
        if (failed.Count > 0)
        {
            // Meta: 139100 "Some or all users failed to block/unblock", with the per-user errors.
            answer["error"] = new JsonObject { ["message"] = "(#139100) Failed to block/unblock users", ["code"] = 139100 };
            return Results.Json(answer, statusCode: StatusCodes.Status400BadRequest);
        }
        return Results.Json(answer);
    }

    // { "status": "read", "message_id", "typing_indicator"?: { "type": "text" } } → { "success": true }.
    private static IResult MarkRead(string phoneNumberId, JsonObject body, string status, ReadReceiptLog receipts, TimeProvider time)
    {
        if (status != "read")
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "status must be \"read\".");
        }
        var messageId = Text(body, "message_id");
        if (messageId is null || !messageId.StartsWith("wamid.", StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "message_id must be the wamid of a received message.");
        }
        var typing = false;
        if (body["typing_indicator"] is { } indicator)
        {
            if (indicator is not JsonObject o || Text(o, "type") != "text")
            {
                return Error(StatusCodes.Status400BadRequest, 100, "Invalid parameter", "typing_indicator.type must be \"text\".");
            }
            typing = true;
        }
        receipts.Add(new ReadReceipt(phoneNumberId, messageId, typing, time.GetUtcNow()));
        return Results.Json(new JsonObject { ["success"] = true });
    }

    internal static IResult Error(int status, int code, string message, string details) => Results.Json(
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = $"(#{code}) {message}",
                ["type"] = "OAuthException",
                ["code"] = code,
                ["error_data"] = new JsonObject { ["messaging_product"] = "whatsapp", ["details"] = details },
                ["fbtrace_id"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            },
        },
        statusCode: status);

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    [GeneratedRegex("^\\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex("^[A-Z]{2}\\.[A-Za-z0-9]{1,128}$")]
    private static partial Regex Bsuid();
}
