using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

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

    // A timeout per attempt and a retry with exponential backoff and jitter for answers that say the request was
    // not processed. A timed-out send may have reached WhatsApp: it is not repeated here (the outbox decides), so
    // that a citizen never gets a message twice.
    private static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<GraphApiOptions>>().Value;
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests
                    or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway
                    or HttpStatusCode.InternalServerError or HttpStatusCode.GatewayTimeout
                || args.Outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }),
        });
        pipeline.AddTimeout(options.AttemptTimeout);
    }
}
