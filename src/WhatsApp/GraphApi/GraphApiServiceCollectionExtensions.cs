using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>Registers <see cref="IWhatsAppSender"/> on an HttpClient with a resilience pipeline.</summary>
public static class GraphApiServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Graph API sender and media client configured from <c>WhatsApp:GraphApi</c>, each on an HttpClient
    /// with a resilience pipeline.
    /// </summary>
    public static IServiceCollection AddGraphApiSender(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GraphApiOptions>()
            .Bind(configuration.GetSection(GraphApiOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddHttpClient<IWhatsAppSender, GraphApiWhatsAppSender>()
            .AddResilienceHandler("graph-api", (pipeline, context) => ConfigurePipeline(pipeline, context, IsSendNotProcessed));
        services.AddHttpClient<IWhatsAppMediaClient, GraphApiMediaClient>()
            .AddResilienceHandler("graph-api-media", (pipeline, context) => ConfigurePipeline(pipeline, context, IsReadNotDone));
        return services;
    }

    // Retry (exponential backoff with jitter) for answers that say the request was not processed, a circuit breaker
    // that stops calling an API that keeps failing (the messages wait in the outbox meanwhile), and a timeout per
    // attempt. A send that timed out or got 500, 502 or 504 may have reached WhatsApp: it is not repeated here (the
    // outbox decides, by the status webhook or after a grace period), so that a citizen does not get a message twice.
    private static void ConfigurePipeline(
        ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context, Func<Outcome<HttpResponseMessage>, bool> retry)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<GraphApiOptions>>().Value;
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(retry(args.Outcome)),
        });
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Result?.StatusCode >= HttpStatusCode.InternalServerError || args.Outcome.Exception is HttpRequestException or TimeoutRejectedException),
        });
        pipeline.AddTimeout(options.AttemptTimeout);
    }

    // A send is repeated only when Meta certainly did not take it: 429, 503 or no connection at all.
    private static bool IsSendNotProcessed(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
        || outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };

    // A read (media) may be repeated after any server error.
    private static bool IsReadNotDone(Outcome<HttpResponseMessage> outcome) =>
        IsSendNotProcessed(outcome)
        || outcome.Result?.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.InternalServerError or HttpStatusCode.GatewayTimeout;
}
