namespace GoldbachActors.ServiceDefaults;

/// <summary>
/// The settings of the local system that the run command starts (src/AppHost) and that the CLI assumes by default.
/// These secrets guard nothing but a developer's machine; production takes its own from a secret store.
/// </summary>
public static class LocalDevelopment
{
    /// <summary>The demo tenant: the phone_number_id of "Markt Goldbach" on the stand-in.</summary>
    public const string TenantId = "106540352242922";

    public const string TenantName = "Markt Goldbach";

    public const string AcknowledgementText =
        "Vielen Dank für Ihre Nachricht an den Markt Goldbach! Wir melden uns schnellstmöglich bei Ihnen zurück❤.";

    public const string OutOfHoursAcknowledgementText =
        "Vielen Dank für Ihre Nachricht an den Markt Goldbach! Wir sind am {next} wieder für Sie da. In Notfällen wählen Sie 112 bzw. 110.";

    /// <summary>The demo's office hours (Europe/Berlin) by day.</summary>
    public static IReadOnlyDictionary<string, string> OfficeHours { get; } = new Dictionary<string, string>
    {
        ["Monday"] = "08:00-12:00",
        ["Tuesday"] = "08:00-12:00",
        ["Wednesday"] = "08:00-12:00",
        ["Thursday"] = "08:00-12:00, 14:00-18:00",
        ["Friday"] = "08:00-12:00",
    };

    public const string AppSecret = "local-app-secret-not-for-production";
    public const string VerifyToken = "local-verify-token";
    public const string AccessToken = "local-access-token";

    public const string StaffIssuer = "goldbach-local";
    public const string StaffAudience = "goldbach-staff";
    public const string StaffSigningKey = "local-staff-signing-key-not-for-production-0123456789";

    public const int GatewayHttpPort = 7080;
    public const int GatewayGrpcPort = 7081;
    public const int SiloHttpPort = 7090;
    public const int SimulatorPort = 7070;
    public const int SiloPort = 11111;
    public const int SiloGatewayPort = 30000;

    public static Uri GatewayGrpcUrl => new($"http://127.0.0.1:{GatewayGrpcPort}");

    public static Uri SimulatorUrl => new($"http://127.0.0.1:{SimulatorPort}");
}
