using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>
/// <c>GET /webhooks/whatsapp</c>: Meta's verification handshake. <c>POST /webhooks/whatsapp</c>: signed event
/// notifications, answered 200 only once the body is durable in the journal (otherwise 5xx, and Meta retries); the
/// grains record its updates right after.
/// </summary>
public static partial class WebhookEndpoints
{
    public const string Path = "/webhooks/whatsapp";

    public static IEndpointRouteBuilder MapWhatsAppWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Verify);
        app.MapPost(Path, ReceiveAsync).RequireRateLimiting(ReadLimit);
        return app;
    }

    /// <summary>The concurrency limit on reading webhook bodies (see <see cref="WebhookOptions.MaxConcurrentReads"/>).</summary>
    public const string ReadLimit = "webhook-reads";

    private static IResult Verify(HttpRequest request, IOptions<WebhookOptions> options)
    {
        var mode = request.Query["hub.mode"].ToString();
        var token = request.Query["hub.verify_token"].ToString();
        var challenge = request.Query["hub.challenge"].ToString();
        var expected = Encoding.UTF8.GetBytes(options.Value.VerifyToken);
        var tokenMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), expected);
        if (mode != "subscribe" || !tokenMatches || challenge.Length == 0)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        // Echoed verbatim: Meta compares the body with the challenge it sent.
        return Results.Text(challenge, "text/plain", Encoding.UTF8);
    }

    private static async Task<IResult> ReceiveAsync(
        HttpContext context, WebhookAcceptance acceptance, WebhookMetrics metrics, IOptions<WebhookOptions> options, ILoggerFactory loggers)
    {
        var started = Stopwatch.GetTimestamp();
        var (result, label) = await ProcessAsync(context, acceptance, options.Value, loggers.CreateLogger(typeof(WebhookEndpoints)));
        metrics.Request(label, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    // HTTP only: the body's size, its signature, and the status code of what the acceptance made of it.
    private static async Task<(IResult Result, string Label)> ProcessAsync(
        HttpContext context, WebhookAcceptance acceptance, WebhookOptions settings, ILogger logger)
    {
        var body = context.Request.ContentLength > settings.MaxBodyBytes
            ? null
            : await ReadBodyAsync(context.Request, settings.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return (Problem(StatusCodes.Status413PayloadTooLarge, "The body is larger than a WhatsApp webhook can be."), "too_large");
        }
        if (!new WebhookSignature(settings.AppSecret).IsValid(context.Request.Headers[WebhookSignature.HeaderName], body.Value.Span))
        {
            LogRejectedSignature(logger, context.Request.Headers.ContainsKey(WebhookSignature.HeaderName));
            return (Problem(StatusCodes.Status401Unauthorized, "Missing or wrong X-Hub-Signature-256."), "bad_signature");
        }
        return await acceptance.AcceptAsync(body.Value) switch
        {
            (WebhookAcceptResult.Accepted, _) => (Results.Ok(), "accepted"),
            (WebhookAcceptResult.Malformed, var error) => (Problem(StatusCodes.Status400BadRequest, error ?? "Not a WhatsApp webhook."), "malformed"),
            _ => (Problem(StatusCodes.Status503ServiceUnavailable, "The messages could not be stored; retry later."), "unavailable"),
        };
    }

    // Reads at most maxBytes; null when the body is longer (also when no Content-Length announced it).
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        // Grown as bytes arrive: an announced Content-Length (up to 3.5 MB) is no reason to hold that much before
        // the signature is even checked.
        var initial = (int)Math.Min(request.ContentLength ?? 16 * 1024, Math.Min(maxBytes, 16 * 1024));
        using var buffer = new MemoryStream(initial);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook rejected: bad signature (header present: {HeaderPresent})")]
    private static partial void LogRejectedSignature(ILogger logger, bool headerPresent);
}
