using System.Globalization;

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

    public const string EnglishAcknowledgementText =
        "Thank you for your message to Markt Goldbach! We will get back to you as soon as possible❤.";

    public const string EnglishOutOfHoursAcknowledgementText =
        "Thank you for your message to Markt Goldbach! We are back for you on {next}. In an emergency call 112 or 110.";

    public const string UkrainianAcknowledgementText =
        "Дякуємо за ваше повідомлення до Markt Goldbach! Ми відповімо вам якнайшвидше❤.";

    public const string UkrainianOutOfHoursAcknowledgementText =
        "Дякуємо за ваше повідомлення до Markt Goldbach! Ми знову на зв'язку {next}. У надзвичайних ситуаціях телефонуйте 112 або 110.";

    /// <summary>The demo's staff coordination number (the stand-in's citizens may use it to see the staff section).</summary>
    public const string StaffNumber = "+4960229999999";

    /// <summary>
    /// The demo tenant's whole configuration as configuration keys (<c>Goldbach:Tenants:{id}:…</c>): the run command
    /// passes it to silo and gateway.
    /// </summary>
    public static IReadOnlyDictionary<string, string> TenantConfiguration()
    {
        var prefix = $"Goldbach:Tenants:{TenantId}:";
        var settings = new Dictionary<string, string>
        {
            [prefix + "Name"] = TenantName,
            [prefix + "AcknowledgementText"] = AcknowledgementText,
            [prefix + "OutOfHoursAcknowledgementText"] = OutOfHoursAcknowledgementText,
            [prefix + "Languages:en:AcknowledgementText"] = EnglishAcknowledgementText,
            [prefix + "Languages:en:OutOfHoursAcknowledgementText"] = EnglishOutOfHoursAcknowledgementText,
            [prefix + "Languages:uk:AcknowledgementText"] = UkrainianAcknowledgementText,
            [prefix + "Languages:uk:OutOfHoursAcknowledgementText"] = UkrainianOutOfHoursAcknowledgementText,
            [prefix + "ClosedDays:0"] = "2026-12-24",
            [prefix + "ClosedDays:1"] = "2026-12-31",
            [prefix + "StaffNumbers:0"] = StaffNumber,
            [prefix + "CannedReplies:0:Title"] = "Weitergeleitet",
            [prefix + "CannedReplies:0:Text"] = "Vielen Dank, {name}! Wir haben Ihr Anliegen an die zuständige Stelle weitergegeben und melden uns.",
            [prefix + "CannedReplies:1:Title"] = "Öffnungszeiten Rathaus",
            [prefix + "CannedReplies:1:Text"] = "Das Rathaus ist Montag bis Freitag 8 bis 12 Uhr und Donnerstag 14 bis 18 Uhr für Sie geöffnet.",
            [prefix + "CannedReplies:2:Title"] = "Notfall",
            [prefix + "CannedReplies:2:Text"] = "Bitte wählen Sie in Notfällen sofort 112 (Feuerwehr, Rettungsdienst) bzw. 110 (Polizei).",
            [prefix + "WindowTemplate:Name"] = "rueckmeldung_erbeten",
            [prefix + "WindowTemplate:Language"] = "de",
            [prefix + "WindowTemplate:BodyParameters:0"] = TenantName,
            // Meta's first messaging limit tier: 250 new recipients outside the window a day.
            [prefix + "MessagingLimit"] = "250",
            [prefix + "Lists:kitzrettung:Name"] = "Kitzrettung Goldbach",
            [prefix + "Lists:kitzrettung:Description"] = "Einsätze vor der Mahd: wer hilft, Rehkitze aus den Wiesen zu holen.",
            [prefix + "Lists:kitzrettung:Languages:0"] = "de",
            [prefix + "Lists:kitzrettung:Keywords:de:0"] = "START KITZ",
            [prefix + "Lists:kitzrettung:Templates:de:Name"] = "neuigkeiten_liste",
            [prefix + "Lists:kitzrettung:Templates:de:Language"] = "de",
            [prefix + "Lists:kitzrettung:Templates:de:BodyParameters:0"] = "Kitzrettung Goldbach",
            [prefix + "Lists:ukraine-info:Name"] = "Informationen für Geflüchtete",
            [prefix + "Lists:ukraine-info:Description"] = "Sirenentests, Infoabende, Wohnungen, Sprachkurse.",
            [prefix + "Lists:ukraine-info:Languages:0"] = "uk",
            [prefix + "Lists:ukraine-info:Languages:1"] = "de",
            [prefix + "Lists:ukraine-info:Languages:2"] = "en",
            [prefix + "Lists:ukraine-info:Keywords:uk:0"] = "СТАРТ",
            [prefix + "Lists:ukraine-info:Keywords:de:0"] = "START INFO",
            [prefix + "Lists:ukraine-info:Keywords:en:0"] = "START INFO EN",
            [prefix + "Lists:ukraine-info:Templates:uk:Name"] = "novyny_hromady",
            [prefix + "Lists:ukraine-info:Templates:uk:Language"] = "uk",
            [prefix + "Lists:ukraine-info:Templates:de:Name"] = "neuigkeiten_liste",
            [prefix + "Lists:ukraine-info:Templates:de:Language"] = "de",
            [prefix + "Lists:ukraine-info:Templates:de:BodyParameters:0"] = "Informationen für Geflüchtete",
            [prefix + "Lists:ukraine-info:Templates:en:Name"] = "list_news",
            [prefix + "Lists:ukraine-info:Templates:en:Language"] = "en",
            // The town's departments, with the addresses their new requests are mailed to (the local mail server).
            [prefix + "Departments:bauhof:Name"] = "Bauhof",
            [prefix + "Departments:bauhof:Email"] = "bauhof@goldbach.example",
            [prefix + "Departments:ordnungsamt:Name"] = "Ordnungsamt",
            [prefix + "Departments:ordnungsamt:Email"] = "ordnungsamt@goldbach.example",
            [prefix + "Departments:verwaltung:Name"] = "Verwaltung",
            [prefix + "Departments:verwaltung:Email"] = "verwaltung@goldbach.example",
        };
        foreach (var (day, periods) in OfficeHours)
        {
            settings[prefix + "OfficeHours:" + day] = periods;
        }
        return settings;
    }

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
    public const string StaffAudience = "urn:goldbach:staff";
    public const string StaffSigningKey = "local-staff-signing-key-not-for-production-0123456789";

    /// <summary>The local OpenID provider (src/IdentityProvider) that the run command starts; staff sign in there.</summary>
    public static Uri IdentityProviderUrl => new($"http://localhost:{IdentityProviderPort}");

    /// <summary>
    /// The gateway's settings for a local provider at <paramref name="authority"/> (src/IdentityProvider, its demo
    /// staff): its roles mapped to agent, supervisor and admin, its groups to the demo tenant (and a neighbouring town
    /// to none of ours).
    /// </summary>
    public static IReadOnlyDictionary<string, string> IdentityProviderSettings(Uri authority, string tenant = TenantId) =>
        new Dictionary<string, string>
        {
            ["Staff:Authentication:Authority"] = authority.ToString().TrimEnd('/'),
            ["Staff:Authentication:RequireHttpsMetadata"] = "false",
            ["Staff:Authentication:Claims:Roles:goldbach-agent"] = Contracts.StaffRoles.Agent,
            ["Staff:Authentication:Claims:Roles:goldbach-supervisor"] = Contracts.StaffRoles.Supervisor,
            ["Staff:Authentication:Claims:Roles:goldbach-admin"] = Contracts.StaffRoles.Admin,
            ["Staff:Authentication:Claims:GroupTenants:markt-goldbach"] = tenant,
            ["Staff:Authentication:Claims:GroupTenants:gemeinde-nachbarort"] = "999999",
            ["Staff:Authentication:Claims:GroupDepartments:abteilung-bauhof"] = "bauhof",
        };

    /// <summary>The local VAPID key pair (RFC 8292): browsers subscribe with the public key; the silo signs with both.</summary>
    public const string VapidPublicKey = "BGC527dVtZ7gr0P0VSjW6UVEKpRW-6UyNv_qjY4FvRBa3Hrgr3CZmvnMWsDi995AAQZQ6w0OS8IyQP5ZOG_QMmI";

    public const string VapidPrivateKey = "XVDLLtVS0wcIk6GXpUof7r0flBQHpeFLS-MmtmLQ-38";

    /// <summary>The silo's Web Push settings for the local system: the key pair above, and the local push service allowed.</summary>
    public static IReadOnlyDictionary<string, string> PushSettings() => new Dictionary<string, string>
    {
        ["Goldbach:Push:PublicKey"] = VapidPublicKey,
        ["Goldbach:Push:PrivateKey"] = VapidPrivateKey,
        ["Goldbach:Push:Subject"] = "mailto:it@goldbach.example",
        ["Goldbach:Push:AllowLoopbackHttp"] = "true",
    };

    /// <summary>The local mail server's account (src/MailServer): the silo authenticates as the town's relay asks.</summary>
    public const string MailUser = "goldbach";

    public const string MailPassword = "local-mail-password";

    /// <summary>
    /// The silo's settings for the local mail server (src/MailServer) on <paramref name="smtpPort"/>: plain SMTP on
    /// loopback with AUTH, and links to the web inbox at <paramref name="inbox"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> MailSettings(int smtpPort, Uri inbox) => new Dictionary<string, string>
    {
        ["Goldbach:Mail:Host"] = "127.0.0.1",
        ["Goldbach:Mail:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Goldbach:Mail:Security"] = "None",
        ["Goldbach:Mail:UserName"] = MailUser,
        ["Goldbach:Mail:Password"] = MailPassword,
        ["Goldbach:Mail:From"] = "Markt Goldbach <anliegen@goldbach.example>",
        ["Goldbach:Mail:InboxUrl"] = inbox.ToString(),
    };

    /// <summary>The local mail server's page (what the departments were sent) that the run command starts.</summary>
    public static Uri MailServerUrl => new($"http://127.0.0.1:{MailServerPort}");

    /// <summary>The local push service (src/PushService) that the run command starts.</summary>
    public static Uri PushServiceUrl => new($"http://127.0.0.1:{PushServicePort}");

    /// <summary>The Orleans Dashboard's password on the local silo (user <c>operator</c>).</summary>
    public const string DashboardPassword = "goldbach-local";

    /// <summary>
    /// The HMAC key for citizens' identifiers in telemetry in Development when <c>Telemetry:Redaction:Key</c> is not
    /// set (base64). Every other environment (Staging, Production, tests) refuses to start without its own.
    /// </summary>
    public const string RedactionKey = "bG9jYWwtcmVkYWN0aW9uLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24tMDEyMzQ1Njc4OQ==";

    public const int IdentityProviderPort = 7060;
    public const int PushServicePort = 7065;
    public const int MailServerSmtpPort = 7025;
    public const int MailServerPort = 7026;
    public const int GatewayHttpPort = 7080;
    public const int GatewayGrpcPort = 7081;
    public const int SiloHttpPort = 7090;
    public const int SimulatorPort = 7070;
    public const int SiloPort = 11111;
    public const int SiloGatewayPort = 30000;

    public static Uri GatewayGrpcUrl => new($"http://127.0.0.1:{GatewayGrpcPort}");

    public static Uri SimulatorUrl => new($"http://127.0.0.1:{SimulatorPort}");
}
