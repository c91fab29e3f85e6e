using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Silo;

/// <summary>Builds the silo host; <c>Program.cs</c> runs it, tests start it in-process with their own settings.</summary>
public static class SiloApplication
{
    /// <param name="options">The host's options (arguments, environment).</param>
    /// <param name="configure">Runs first on the builder (tests add exporters and log capture here).</param>
    public static WebApplication Build(WebApplicationOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(options);
        configure?.Invoke(builder);
        builder.AddGoldbachTelemetry("goldbach-silo");
        builder.AddGoldbachSilo();

        var app = builder.Build();
        // Our instruments exist from the start (the gauges report 0), not only after the first grain activation.
        app.Services.GetRequiredService<Grains.Telemetry.GoldbachMetrics>();
        app.MapGoldbachOperations();
        app.MapGoldbachDashboard();
        return app;
    }
}
