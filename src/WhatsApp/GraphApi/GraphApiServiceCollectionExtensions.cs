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

        services.AddHttpClient<IWhatsAppSender, GraphApiWhatsAppSender>().AddResilienceHandler("graph-api", ConfigurePipeline);
        services.AddHttpClient<IWhatsAppMediaClient, GraphApiMediaClient>().AddResilienceHandler("graph-api-media", ConfigurePipeline);
        return services;
    }

    // Retry (exponential backoff with jitter) for answers that say the request was not processed (HTTP 5xx, 429, a
    // connection that could not be made), a circuit breaker that stops calling an API that keeps failing (the
    // messages wait in the outbox meanwhile), and a timeout per attempt. A timed-out send may have reached WhatsApp:
    // it is not repeated here (the outbox decides), so that a citizen does not get a message twice.
    private static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<GraphApiOptions>>().Value;
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(IsNotProcessed(args.Outcome)),
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

    private static bool IsNotProcessed(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway
            or HttpStatusCode.InternalServerError or HttpStatusCode.GatewayTimeout
        || outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };
}
