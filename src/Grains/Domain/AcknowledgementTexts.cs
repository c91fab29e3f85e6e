using System.Globalization;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// Which acknowledgement a new conversation gets: in the citizen's language when the tenant has texts for it (German
/// otherwise), and outside office hours the text that names when the town hall answers.
/// </summary>
public static class AcknowledgementTexts
{
    public const string NextOpeningPlaceholder = "{next}";

    // How each language names the next opening: "Montag, 2. Juni ab 8:00 Uhr", "Monday, 2 June from 8:00".
    private static readonly Dictionary<string, (string Culture, string Format)> OpeningFormats = new(StringComparer.Ordinal)
    {
        [CitizenLanguage.German] = ("de-DE", "dddd, d. MMMM 'ab' H:mm 'Uhr'"),
        [CitizenLanguage.English] = ("en-GB", "dddd, d MMMM 'from' H:mm"),
        [CitizenLanguage.Ukrainian] = ("uk-UA", "dddd, d MMMM 'з' H:mm"),
        [CitizenLanguage.Russian] = ("ru-RU", "dddd, d MMMM 'с' H:mm"),
    };

    // When the first message reports danger and the tenant wrote no text of its own: call 112 or 110 now.
    private static readonly Dictionary<string, string> UrgentTexts = new(StringComparer.Ordinal)
    {
        [CitizenLanguage.German] = "Vielen Dank für Ihre Nachricht! Besteht Gefahr, rufen Sie bitte sofort die 112 (Feuerwehr, Rettungsdienst) oder die 110 (Polizei) an. Wir haben Ihre Nachricht als dringend weitergegeben.",
        [CitizenLanguage.English] = "Thank you for your message! If anyone is in danger, call 112 (fire brigade, ambulance) or 110 (police) now. We have passed your message on as urgent.",
        [CitizenLanguage.Ukrainian] = "Дякуємо за ваше повідомлення! Якщо є небезпека, негайно телефонуйте 112 (пожежна служба, швидка допомога) або 110 (поліція). Ми передали ваше повідомлення як термінове.",
        [CitizenLanguage.Russian] = "Спасибо за ваше сообщение! Если есть опасность, немедленно звоните 112 (пожарная служба, скорая помощь) или 110 (полиция). Мы передали ваше сообщение как срочное.",
    };

    /// <summary>
    /// The acknowledgement for a new conversation: with <paramref name="urgent"/> (triage found danger) the text that
    /// says to call 112 or 110 at once, in or out of office hours; otherwise the in-hours or out-of-hours text.
    /// </summary>
    public static string Choose(TenantOptions tenant, OfficeHours? hours, DateTimeOffset now, string? language = null, bool urgent = false)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var configured = language is not null && tenant.Languages.TryGetValue(language, out var localized) ? localized : null;
        var (text, outOfHours, used) = configured is not null
            ? (configured.AcknowledgementText, configured.OutOfHoursAcknowledgementText, language!)
            : (tenant.AcknowledgementText, tenant.OutOfHoursAcknowledgementText, CitizenLanguage.German);
        if (urgent)
        {
            return (configured is not null ? configured.UrgentAcknowledgementText : tenant.UrgentAcknowledgementText)
                ?? UrgentTexts.GetValueOrDefault(used)
                ?? tenant.UrgentAcknowledgementText
                ?? UrgentTexts[CitizenLanguage.German];
        }
        if (hours is null || outOfHours is null || hours.IsOpenAt(now) || hours.NextOpeningAfter(now) is not { } next)
        {
            return text;
        }
        return outOfHours.Replace(NextOpeningPlaceholder, DescribeOpening(next, used), StringComparison.Ordinal);
    }

    /// <summary>The next opening in words of <paramref name="language"/> (German for a language without a format).</summary>
    public static string DescribeOpening(DateTimeOffset opening, string language)
    {
        var (culture, format) = OpeningFormats.TryGetValue(language, out var known)
            ? known
            : OpeningFormats[CitizenLanguage.German];
        return opening.ToString(format, CultureInfo.GetCultureInfo(culture));
    }
}
