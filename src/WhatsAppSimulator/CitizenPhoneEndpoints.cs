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

    /// <summary>A citizen's message to the business number.</summary>
    /// <param name="From">The citizen's number in E.164 ("+4915112345678").</param>
    /// <param name="Text">What they write.</param>
    /// <param name="Name">Their WhatsApp profile name.</param>
    /// <param name="UserId">Their business-scoped user id; made up from the number when omitted.</param>
    public sealed record CitizenMessage(string From, string Text, string? Name = null, string? UserId = null);

    public static IEndpointRouteBuilder MapCitizenPhone(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/simulator");
        group.MapPost("/citizens/messages", SendAsCitizenAsync);
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
        })));
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
        if (string.IsNullOrEmpty(message.Text) || message.Text.Length > 4096)
        {
            return Results.Problem("text must have 1 to 4096 characters.", statusCode: 400);
        }
        var settings = options.Value;
        var waId = message.From[1..];
        var userId = message.UserId ?? BusinessScopedUserIdFor(waId);
        var wamid = "wamid." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        behaviour.CitizenWrote(waId, userId);
        var payload = WebhookPayloadFor(settings, waId, userId, message.Name ?? "Bürger", wamid, message.Text, time.GetUtcNow());

        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        content.Headers.Add(WebhookSignature.HeaderName, new WebhookSignature(settings.AppSecret).Sign(body));
        using var response = await http.CreateClient(HttpClientName).PostAsync(settings.WebhookUrl, content);
        return Results.Json(new { whatsAppMessageId = wamid, gatewayStatus = (int)response.StatusCode });
    }

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
