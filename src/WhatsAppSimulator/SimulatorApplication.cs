using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>Builds the stand-in host; <c>Program.cs</c> runs it, tests start it in-process.</summary>
public static class SimulatorApplication
{
    public static WebApplication Build(WebApplicationOptions options)
    {
        var builder = WebApplication.CreateBuilder(options);
        builder.AddGoldbachTelemetry("whatsapp-simulator");
        builder.Services.AddOptions<SimulatorOptions>()
            .Bind(builder.Configuration.GetSection(SimulatorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SentMessageLog>();
        builder.Services.AddSingleton<ReadReceiptLog>();
        builder.Services.AddSingleton<MetaBehaviour>();
        builder.Services.AddSingleton<StatusReporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StatusReporter>());
        builder.Services.AddSingleton<MediaLibrary>();
        builder.Services.AddHttpClient(CitizenPhoneEndpoints.HttpClientName);

        var app = builder.Build();
        app.MapGoldbachOperations();
        app.MapGraphApi();
        app.MapMedia();
        app.MapCitizenPhone();
        return app;
    }
}
