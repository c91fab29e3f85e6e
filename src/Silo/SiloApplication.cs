using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Silo;

/// <summary>Builds the silo host; <c>Program.cs</c> runs it, tests start it in-process with their own settings.</summary>
public static class SiloApplication
{
    public static WebApplication Build(WebApplicationOptions options)
    {
        var builder = WebApplication.CreateBuilder(options);
        builder.AddGoldbachTelemetry("goldbach-silo");
        builder.AddGoldbachSilo();

        var app = builder.Build();
        app.MapGoldbachHealth();
        return app;
    }
}
