using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// The one set of rules for a tenant's settings, used by the silo's start-up validation (configuration files) and by
/// every save in the web inbox: times, language codes, list ids, template names, limits, keywords. Each error names
/// its field by its path in the settings (<c>OfficeHours:Monday</c>, <c>Lists:kitzrettung:Keywords:de</c>) and says
/// in German what is wrong, so that the inbox shows it beside the field.
/// </summary>
public static class TenantSettingsRules
{
    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Monday"] = DayOfWeek.Monday,
        ["Tuesday"] = DayOfWeek.Tuesday,
        ["Wednesday"] = DayOfWeek.Wednesday,
        ["Thursday"] = DayOfWeek.Thursday,
        ["Friday"] = DayOfWeek.Friday,
        ["Saturday"] = DayOfWeek.Saturday,
        ["Sunday"] = DayOfWeek.Sunday,
    };

    /// <summary>Every error in <paramref name="settings"/>; empty when they can be used.</summary>
    public static IReadOnlyList<SettingsFieldError> Validate(TenantOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<SettingsFieldError>();
        Annotations(settings, "", errors);
        foreach (var (day, periods) in settings.OfficeHours)
        {
            if (!Days.ContainsKey(day))
            {
                errors.Add(new($"OfficeHours:{day}", $"„{day}“ ist kein Wochentag (Monday … Sunday)."));
            }
            else if (Period(periods) is { } wrong)
            {
                errors.Add(new($"OfficeHours:{day}", $"„{wrong}“ ist keine Zeitspanne wie „08:00-12:00“ (Beginn vor Ende, 00:00 bis 23:59; mehrere durch Komma)."));
            }
        }
        var closed = settings.ClosedDays.GroupBy(d => d).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (closed.Count > 0)
        {
            errors.Add(new("ClosedDays", $"Doppelt eingetragen: {string.Join(", ", closed.Select(d => d.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)))}."));
        }
        for (var i = 0; i < settings.StaffNumbers.Count; i++)
        {
            try
            {
                StaffIdentities.Normalize(settings.StaffNumbers[i]);
            }
            catch (FormatException)
            {
                errors.Add(new($"StaffNumbers:{i}", "Keine gültige Nummer in internationaler Form (+49 …) und keine WhatsApp-Kennung."));
            }
        }
        foreach (var (category, stems) in settings.Categories)
        {
            if (string.IsNullOrWhiteSpace(category) || category.Length > 60)
            {
                errors.Add(new($"Categories:{category}", "Ein Kategoriename hat 1 bis 60 Zeichen."));
            }
            if (stems.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(new($"Categories:{category}", "Ein Stichwort ist leer."));
            }
        }
        if (settings.DangerWords.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new("DangerWords", "Ein Gefahrenwort ist leer."));
        }
        foreach (var (language, texts) in settings.Languages)
        {
            if (!IsLanguage(language))
            {
                errors.Add(new($"Languages:{language}", $"„{language}“ ist kein Sprachkürzel nach ISO 639-1 in Kleinbuchstaben („en“, „uk“)."));
            }
            Annotations(texts, $"Languages:{language}", errors);
        }
        Retention(settings, errors);
        Lists(settings, errors);
        Requests(settings, errors);
        return errors;
    }

    // Each service names a department there is (the configured ones, or the town's list), with an address mail takes.
    private static void Requests(TenantOptions settings, List<SettingsFieldError> errors)
    {
        var departments = ServiceCatalog.Departments(settings);
        foreach (var (code, service) in ServiceCatalog.Services(settings))
        {
            if (!departments.ContainsKey(service.Department))
            {
                errors.Add(new($"Services:{code}:Department", $"Die Abteilung „{service.Department}“ gibt es nicht (Abteilungen: {string.Join(", ", departments.Keys)})."));
            }
        }
        foreach (var (key, department) in settings.Departments)
        {
            if (!string.IsNullOrWhiteSpace(department.Email)
                && !(MimeKit.MailboxAddress.TryParse(department.Email, out var address) && address.Address.Contains('@', StringComparison.Ordinal)))
            {
                errors.Add(new($"Departments:{key}:Email", $"„{department.Email}“ ist keine Mailadresse."));
            }
        }
    }

    /// <summary>The first period of a day that does not parse, or null when all do.</summary>
    private static string? Period(string? periods) =>
        (periods ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(p => !Parses(p));

    private static bool Parses(string period)
    {
        try
        {
            OfficeHours.ParseWeek(new Dictionary<string, string> { ["Monday"] = period });
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsLanguage(string code) => code.Length == 2 && code.All(char.IsAsciiLetterLower);

    private static void Retention(TenantOptions settings, List<SettingsFieldError> errors)
    {
        var categories = new Triage(
            settings.Categories.Count > 0 ? settings.Categories.ToDictionary(c => c.Key, c => c.Value.ToArray()) : null, null).Categories;
        foreach (var (category, days) in settings.Retention.CategoryDays)
        {
            if (!categories.Contains(category) || days is < 0 or > 3650)
            {
                errors.Add(new($"Retention:CategoryDays:{category}", $"Eine Frist hat 0 bis 3.650 Tage und gilt einer Kategorie der Gemeinde ({string.Join(", ", categories)})."));
            }
        }
        for (var i = 0; i < settings.Retention.Categories.Count; i++)
        {
            var entry = settings.Retention.Categories[i];
            if (!categories.Contains(entry.Category) || entry.Days is < 0 or > 3650)
            {
                errors.Add(new($"Retention:Categories:{i}", $"Eine Frist hat 0 bis 3.650 Tage und gilt einer Kategorie der Gemeinde ({string.Join(", ", categories)}); „{entry.Category}“ = {entry.Days}."));
            }
        }
    }

    private static void Lists(TenantOptions settings, List<SettingsFieldError> errors)
    {
        var stops = ConsentKeywords.StopWords.Values.SelectMany(w => w).Select(ConsentKeywords.Normalize).ToHashSet(StringComparer.Ordinal);
        var keywords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (listId, list) in settings.Lists)
        {
            var path = $"Lists:{listId}";
            if (!ListIds.IsValid(listId))
            {
                errors.Add(new(path, "Eine Listenkennung hat 1 bis 40 Kleinbuchstaben, Ziffern oder „-“ („kitzrettung“)."));
            }
            Annotations(list, path, errors);
            foreach (var language in list.Languages.Concat(list.Keywords.Keys).Concat(list.Templates.Keys).Distinct(StringComparer.Ordinal))
            {
                if (!IsLanguage(language))
                {
                    errors.Add(new($"{path}:Languages", $"„{language}“ ist kein Sprachkürzel nach ISO 639-1 in Kleinbuchstaben."));
                }
            }
            foreach (var (language, words) in list.Keywords)
            {
                foreach (var word in words)
                {
                    var normalized = ConsentKeywords.Normalize(word);
                    if (normalized.Length == 0)
                    {
                        errors.Add(new($"{path}:Keywords:{language}", "Ein Stichwort ist leer."));
                    }
                    else if (stops.Contains(normalized))
                    {
                        errors.Add(new($"{path}:Keywords:{language}", $"„{word}“ ist ein Abmeldewort (STOP) und kann keine Anmeldung sein."));
                    }
                    else if (!keywords.TryAdd(normalized, listId))
                    {
                        errors.Add(new($"{path}:Keywords:{language}", $"„{word}“ ist schon Stichwort der Liste „{keywords[normalized]}“: jedes Stichwort gehört zu einer Liste."));
                    }
                }
            }
            foreach (var (language, template) in list.Templates)
            {
                Annotations(template, $"{path}:Templates:{language}", errors);
            }
        }
    }

    // The options' own annotations ([Required], [MaxLength], [Range], [RegularExpression]), recursively, in German.
    private static void Annotations(object value, string path, List<SettingsFieldError> errors)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanWrite)
            {
                continue;
            }
            var field = path.Length == 0 ? property.Name : $"{path}:{property.Name}";
            var current = property.GetValue(value);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(current))
                {
                    errors.Add(new(field, Message(attribute)));
                }
            }
            switch (current)
            {
                case RateLimitOptions or RetentionOptions or DutyOptions or WindowTemplateOptions:
                    Annotations(current, field, errors);
                    break;
                case IList list when property.PropertyType.GetGenericArguments() is [var item] && item.Namespace == typeof(TenantOptions).Namespace:
                    for (var i = 0; i < list.Count; i++)
                    {
                        Annotations(list[i]!, $"{field}:{i}", errors);
                    }
                    break;
            }
        }
    }

    private static string Message(ValidationAttribute attribute) => attribute switch
    {
        RequiredAttribute => "Pflichtfeld: bitte ausfüllen.",
        MaxLengthAttribute max => $"Höchstens {max.Length.ToString("N0", CultureInfo.GetCultureInfo("de-DE"))} Zeichen.",
        RangeAttribute range => $"Erlaubt ist {range.Minimum} bis {range.Maximum}.",
        RegularExpressionAttribute => "Ungültige Form: nur Kleinbuchstaben, Ziffern und „_“ (Vorlagenname) bzw. ein Sprachkürzel wie „de“ oder „de_DE“.",
        _ => "Ungültiger Wert.",
    };
}
