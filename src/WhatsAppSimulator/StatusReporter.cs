using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using GoldbachActors.WhatsApp.Webhooks;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>
/// Posts the status webhooks Meta posts for an accepted message (sent, then delivered, then read, each after the
/// configured delay), signed, echoing the <c>biz_opaque_callback_data</c>; a post that fails is tried again a few times,
/// as Meta retries.
/// </summary>
public sealed partial class StatusReporter(
    IHttpClientFactory http, IOptions<SimulatorOptions> options, MetaBehaviour behaviour, TimeProvider time, ILogger<StatusReporter> logger)
    : BackgroundService
{
    private readonly Channel<SentMessage> _accepted = Channel.CreateUnbounded<SentMessage>();

    /// <summary>Reports this message's progress in the background (when status webhooks are on).</summary>
    public void Accepted(SentMessage message)
    {
        if (behaviour.StatusWebhooks)
        {
            _accepted.Writer.TryWrite(message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _accepted.Reader.ReadAllAsync(stoppingToken))
        {
            _ = ReportAsync(message, stoppingToken);
        }
    }

    private async Task ReportAsync(SentMessage message, CancellationToken cancellationToken)
    {
        try
        {
            // A reaction is only ever reported sent (Meta: never delivered or read).
            foreach (var status in message.Type == "reaction" ? (string[])["sent"] : ["sent", "delivered", "read"])
            {
                await Task.Delay(options.Value.StatusDelay, time, cancellationToken);
                await PostAsync(message, status, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PostAsync(SentMessage message, string status, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var fields = new JsonObject
        {
            ["id"] = message.Id,
            ["status"] = status,
            ["timestamp"] = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (message.To is not null)
        {
            fields["recipient_id"] = message.To.TrimStart('+');
            fields["recipient_user_id"] = CitizenPhoneEndpoints.BusinessScopedUserIdFor(message.To.TrimStart('+'));
        }
        else
        {
            fields["recipient_user_id"] = message.Recipient;
        }
        if (message.Body["biz_opaque_callback_data"] is JsonValue callback)
        {
            fields["biz_opaque_callback_data"] = callback.GetValue<string>();
        }
        var payload = WebhookEnvelope.Change("messages", message.PhoneNumberId, settings.DisplayPhoneNumber, ("statuses", new JsonArray(fields)));
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                content.Headers.Add(WebhookSignature.HeaderName, new WebhookSignature(settings.AppSecret).Sign(body));
                using var response = await http.CreateClient(CitizenPhoneEndpoints.HttpClientName).PostAsync(settings.WebhookUrl, content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(TimeSpan.FromSeconds(attempt), time, cancellationToken);
        }
        LogGaveUp(status);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway did not take a '{Status}' status webhook after 5 attempts")]
    private partial void LogGaveUp(string status);
}
