using System.Net;
using System.Text.Json;
using GoldbachActors.Contracts;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GoldbachActors.Grains.Duty;

/// <summary>What became of one push.</summary>
public enum PushOutcome
{
    /// <summary>The push service took it (201, or 200/202 from some services).</summary>
    Delivered = 0,

    /// <summary>The subscription is gone (404 or 410): forget the device.</summary>
    Gone = 1,

    /// <summary>Refused or unreachable after the retries: the WhatsApp notice stands in.</summary>
    Failed = 2,
}

/// <summary>
/// What a notification shows: a title and a body without any citizen data, the link that opens the conversation after
/// sign-in (through the alert's opaque id), and the alert's id as tag and topic, so that a repeat replaces it.
/// </summary>
public sealed record DutyNotification(string Title, string Body, string Url, string Tag, bool Urgent);

/// <summary>
/// Sends Web Push with Lib.Net.Http.WebPush (aes128gcm payload encryption, VAPID). A Polly pipeline retries 429 (after
/// its Retry-After), 5xx, timeouts and broken connections twice with exponential backoff and jitter; each attempt
/// builds and encrypts its own request (the library's content is written once). 404 and 410 are never retried.
/// </summary>
public sealed class WebPushSender
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly WebPushOptions _options;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _retry;

    public WebPushSender(HttpClient http, IOptions<WebPushOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                ShouldHandle = new PredicateBuilder().Handle<PushServiceClientException>(IsTransient)
                    .Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
                DelayGenerator = args => ValueTask.FromResult(
                    (args.Outcome.Exception as PushServiceClientException)?.Headers?.RetryAfter?.Delta is { } after && after < TimeSpan.FromSeconds(30)
                        ? (TimeSpan?)after
                        : null),
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
    }

    public bool Enabled => _options.Enabled;

    public string? PublicKey => _options.Enabled ? _options.PublicKey : null;

    /// <summary>Encrypts and posts one notification to one device's push service.</summary>
    public async Task<PushOutcome> SendAsync(PushDeviceRegistration device, DutyNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(notification);
        if (!_options.Enabled)
        {
            return PushOutcome.Failed;
        }
        var subscription = new PushSubscription
        {
            Endpoint = device.Endpoint,
            Keys = new Dictionary<string, string>(StringComparer.Ordinal) { ["p256dh"] = device.P256dh, ["auth"] = device.Auth },
        };
        var message = new PushMessage(JsonSerializer.Serialize(notification, Json))
        {
            Topic = notification.Tag,
            Urgency = notification.Urgent ? PushMessageUrgency.High : PushMessageUrgency.Normal,
            TimeToLive = (int)_options.TimeToLive.TotalSeconds,
        };
        using var vapid = new VapidAuthentication(_options.PublicKey, _options.PrivateKey) { Subject = _options.Subject };
        // The pipeline retries (and honours Retry-After); the library must not wait on its own.
        var client = new PushServiceClient(_http) { AutoRetryAfter = false };
        try
        {
            await _retry.ExecuteAsync(
                async token => await client.RequestPushMessageDeliveryAsync(subscription, message, vapid, token), cancellationToken);
            return PushOutcome.Delivered;
        }
        catch (PushServiceClientException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return PushOutcome.Gone;
        }
        catch (Exception ex) when (ex is PushServiceClientException or HttpRequestException or TimeoutRejectedException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return PushOutcome.Failed;
        }
    }

    // Worth another attempt: the push service is busy or failing, not refusing this request.
    private static bool IsTransient(PushServiceClientException ex) =>
        ex.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)ex.StatusCode >= 500;
}
