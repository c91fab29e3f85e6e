using System.Globalization;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Duty;

/// <summary>
/// What a duty notification says: the kind and the town's category, never a number, a name or a text (push services
/// are third parties). Its link opens the conversation after sign-in through the alert's random id.
/// </summary>
public static class DutyNotifications
{
    /// <summary>The path the notification opens (the web inbox resolves the alert to its conversation).</summary>
    public static string LinkOf(string alertId) => $"/#/alarm/{alertId}";

    public static DutyNotification For(DutyAlert alert, TimeSpan escalateAfter)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var category = alert.Category ?? "Sonstiges";
        var title = (alert.Urgent, alert.Step) switch
        {
            (true, 0) => $"Dringend: neue Nachricht (Kategorie {category})",
            (true, _) => $"Dringend und noch nicht geöffnet (Kategorie {category})",
            _ => $"Neue Nachricht (Kategorie {category})",
        };
        var minutes = (int)Math.Round(escalateAfter.TotalMinutes * alert.Step);
        var body = alert.Step == 0
            ? "Bitte im Posteingang ansehen."
            : string.Create(CultureInfo.GetCultureInfo("de-DE"), $"Seit {minutes} Minuten hat niemand die Unterhaltung geöffnet.");
        return new DutyNotification(title, body, LinkOf(alert.Id), alert.Id, alert.Urgent);
    }
}
