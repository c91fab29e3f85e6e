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

    public static string Choose(TenantOptions tenant, OfficeHours? hours, DateTimeOffset now, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var (text, outOfHours, used) = language is not null && tenant.Languages.TryGetValue(language, out var localized)
            ? (localized.AcknowledgementText, localized.OutOfHoursAcknowledgementText, language)
            : (tenant.AcknowledgementText, tenant.OutOfHoursAcknowledgementText, CitizenLanguage.German);
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
