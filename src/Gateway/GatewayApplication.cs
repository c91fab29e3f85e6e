using GoldbachActors.Gateway.Open311;
using GoldbachActors.Gateway.Staff;
using GoldbachActors.Gateway.Webhooks;
using GoldbachActors.Gateway.WebInbox;
using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Gateway;

/// <summary>Builds the gateway host; <c>Program.cs</c> runs it, tests start it in-process with their own settings.</summary>
public static class GatewayApplication
{
    /// <param name="options">The host's options (arguments, environment).</param>
    /// <param name="configure">Runs first on the builder (tests add exporters and log capture here).</param>
    public static WebApplication Build(WebApplicationOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(options);
        configure?.Invoke(builder);
        builder.AddGoldbachTelemetry("goldbach-gateway");
        builder.AddGoldbachClusterClient();
        builder.AddWhatsAppWebhooks();
        builder.AddStaffApi();
        builder.AddWebInbox();

        var app = builder.Build();
        // Our instruments exist from the start, not only after the first webhook.
        app.Services.GetRequiredService<WebhookMetrics>();
        // The web inbox's static files first: they need no authentication and end the request early.
        app.UseWebInbox();
        // gRPC-Web for browsers, on every endpoint (the HTTP/1.1 one included).
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGoldbachOperations();
        app.MapWhatsAppWebhooks();
        app.MapGrpcService<StaffApiService>();
        app.MapStaffMedia();
        app.MapOpen311();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
