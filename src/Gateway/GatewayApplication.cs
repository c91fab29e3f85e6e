using GoldbachActors.Gateway.Staff;
using GoldbachActors.Gateway.Webhooks;
using GoldbachActors.Gateway.WebInbox;
using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Gateway;

/// <summary>Builds the gateway host; <c>Program.cs</c> runs it, tests start it in-process with their own settings.</summary>
public static class GatewayApplication
{
    public static WebApplication Build(WebApplicationOptions options)
    {
        var builder = WebApplication.CreateBuilder(options);
        builder.AddGoldbachTelemetry("goldbach-gateway");
        builder.AddGoldbachClusterClient();
        builder.AddWhatsAppWebhooks();
        builder.AddStaffApi();
        builder.AddWebInbox();

        var app = builder.Build();
        // The web inbox's static files first: they need no authentication and end the request early.
        app.UseWebInbox();
        // gRPC-Web for browsers, on every endpoint (the HTTP/1.1 one included).
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGoldbachHealth();
        app.MapWhatsAppWebhooks();
        app.MapGrpcService<StaffApiService>();
        app.MapStaffMedia();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
