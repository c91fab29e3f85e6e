using System.Globalization;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>Meta's error codes explained in German, for staff who see why a message did not arrive.</summary>
public static class MetaErrorTexts
{
    private static readonly Dictionary<int, string> Texts = new()
    {
        [131047] = "Mehr als 24 Stunden seit der letzten Nachricht der Person: nur eine freigegebene Vorlage ist erlaubt.",
        [131026] = "Nicht zustellbar (keine WhatsApp-Nummer, Nutzungsbedingungen nicht akzeptiert oder veraltete App).",
        [131050] = "Die Person hat Marketing-Nachrichten des Marktes abbestellt.",
        [130403] = "Die Person ist für dieses Geschäftskonto gesperrt.",
        [131056] = "Zu viele Nachrichten an dieselbe Person in kurzer Zeit.",
        [130429] = "Durchsatzgrenze der Cloud API erreicht.",
        [131048] = "Zu viele frühere Nachrichten wurden als Spam gemeldet.",
        [131049] = "Zum Schutz der Nutzer nicht zugestellt (Grenze für Marketing-Nachrichten).",
        [131000] = "Unbekannter Fehler bei WhatsApp; wird erneut versucht.",
        [131016] = "WhatsApp-Dienst vorübergehend nicht verfügbar.",
        [131057] = "Geschäftskonto im Wartungsmodus.",
        [131051] = "Nachrichtentyp wird nicht unterstützt.",
        [131052] = "Mediendatei konnte nicht heruntergeladen werden.",
        [131053] = "Mediendatei konnte nicht hochgeladen werden.",
        [131060] = "Diese Nachricht ist derzeit nicht verfügbar.",
        [131062] = "An diese Benutzer-ID (BSUID) kann diese Nachricht nicht gesendet werden.",
        [133004] = "WhatsApp-Server vorübergehend nicht verfügbar.",
        [139100] = "Sperren oder Entsperren ist bei WhatsApp fehlgeschlagen.",
        [139101] = "Die Sperrliste ist voll (höchstens 64.000 Personen).",
        [139102] = "Die Sperrliste wurde gleichzeitig geändert; bitte erneut versuchen.",
        [139103] = "Interner Fehler bei WhatsApp; bitte erneut versuchen.",
        [131021] = "Die eigene Nummer kann nicht gesperrt werden.",
        [190] = "Zugangstoken abgelaufen oder ungültig (Betrieb ist informiert).",
        [10] = "Berechtigung fehlt (Betrieb ist informiert).",
        [4] = "Anfragegrenze der App erreicht.",
        [80007] = "Anfragegrenze des Geschäftskontos erreicht.",
    };

    /// <summary>"WhatsApp-Fehler {code}: {German text} ({details})", or the details alone when there is no code.</summary>
    public static string Describe(int? code, string? details)
    {
        if (code is not int known)
        {
            return string.IsNullOrEmpty(details) ? "WhatsApp hat die Nachricht nicht angenommen." : details;
        }
        var text = Texts.TryGetValue(known, out var german)
            ? german
            : known is >= 132000 and <= 132016 ? "Problem mit der Nachrichtenvorlage (fehlt, nicht freigegeben, pausiert oder falsche Parameter)."
            : known is >= 200 and <= 299 ? "Berechtigung fehlt (Betrieb ist informiert)."
            : "Unbekannter WhatsApp-Fehler.";
        var suffix = string.IsNullOrEmpty(details) ? "" : $" ({details})";
        return string.Create(CultureInfo.InvariantCulture, $"WhatsApp-Fehler {known}: {text}{suffix}");
    }
}
