using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// The rules of requests (Anliegen): the expected date in working days, the public text, numbers, filters and the
/// erasure's view (the services and departments are in <see cref="ServiceCatalog"/>).
/// </summary>
public static partial class ServiceRequestRules
{
    /// <summary>The longest description a request takes (Open311 clients send a few sentences).</summary>
    public const int MaxDescriptionLength = 4000;

    private const string Removed = "[entfernt]";

    /// <summary>
    /// The working week requests count in: the town's office hours, or Monday to Friday 8 to 16 o'clock (with the
    /// Bavarian holidays and the closing days) when it configures none.
    /// </summary>
    public static OfficeHours WorkingWeek(TenantOptions tenant, OfficeHours? configured)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return configured ?? new OfficeHours(DefaultWeek, tenant.ClosedDays, OfficeHours.Berlin);
    }

    private static readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeOnly From, TimeOnly To)>> DefaultWeek = OfficeHours.ParseWeek(
        new Dictionary<string, string> { ["Monday"] = "08:00-16:00", ["Tuesday"] = "08:00-16:00", ["Wednesday"] = "08:00-16:00", ["Thursday"] = "08:00-16:00", ["Friday"] = "08:00-16:00" });

    /// <summary>The request's expected date: the close of the service's turnaround in the town's working days.</summary>
    public static DateTimeOffset? ExpectedAt(OfficeHours hours, ServiceOptions service, DateTimeOffset requestedAt)
    {
        ArgumentNullException.ThrowIfNull(hours);
        ArgumentNullException.ThrowIfNull(service);
        return hours.CloseOfWorkingDay(requestedAt, service.TurnaroundWorkingDays);
    }

    /// <summary>
    /// The text the public list shows: phone numbers, e-mail addresses, web links, the given names and names after a
    /// form of address ("Herr Maier", "Fr. Schmidt") replaced by "[entfernt]". A run counts as a phone number from six
    /// digits on (a postcode, a house number or "12 - 14 Uhr" stay).
    /// </summary>
    public static string PublicText(string description, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(names);
        var text = Email().Replace(description, Removed);
        text = Link().Replace(text, Removed);
        text = Number().Replace(text, m => m.Value.Count(char.IsAsciiDigit) >= 6 ? Removed : m.Value);
        text = Addressed().Replace(text, m => m.Groups["form"].Value + " " + Removed);
        foreach (var name in names.SelectMany(n => n.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(n => n.Length >= 2).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            text = Regex.Replace(text, $@"(?<!\p{{L}}){Regex.Escape(name)}(?!\p{{L}})", Removed, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        return text.Trim();
    }

    /// <summary>The German wording when the tenant words none.</summary>
    public static readonly RequestNoticeOptions GermanNotices = new()
    {
        DoneText = "Ihr Anliegen {id} ({service}) wurde erledigt. Vielen Dank für Ihre Meldung!",
        RejectedText = "Ihr Anliegen {id} ({service}) können wir leider nicht umsetzen. {notes}",
    };

    /// <summary>
    /// How the citizen is told a request's outcome in <paramref name="language"/> (else German): the text, and the
    /// template for outside the window if the tenant has one. Null for a status that is no outcome.
    /// </summary>
    public static (string Text, WindowTemplateOptions? Template)? Notice(TenantOptions tenant, string? language, RequestStatusNotice notice)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(notice);
        if (notice.Status is not (ServiceRequestStatus.Done or ServiceRequestStatus.Rejected))
        {
            return null;
        }
        var done = notice.Status == ServiceRequestStatus.Done;
        var own = (language is null ? null : tenant.RequestNotices.GetValueOrDefault(language)) ?? tenant.RequestNotices.GetValueOrDefault("de");
        var text = (done ? own?.DoneText : own?.RejectedText) ?? (done ? GermanNotices.DoneText : GermanNotices.RejectedText)!;
        return (Fill(text, notice).Trim(), done ? own?.DoneTemplate : own?.RejectedTemplate);
    }

    /// <summary>A text or template parameter with <c>{id}</c>, <c>{service}</c> and <c>{notes}</c> filled in.</summary>
    public static string Fill(string text, RequestStatusNotice notice)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(notice);
        return text.Replace("{id}", notice.RequestId, StringComparison.Ordinal)
            .Replace("{service}", notice.ServiceName, StringComparison.Ordinal)
            .Replace("{notes}", notice.Notes ?? "", StringComparison.Ordinal);
    }

    /// <summary>Checks a new request against the tenant's services; returns the service.</summary>
    /// <exception cref="ArgumentException">Unknown service, empty or too long description, a place off the globe.</exception>
    public static ServiceOptions Validate(TenantOptions tenant, NewServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ServiceCatalog.Services(tenant).TryGetValue(request.ServiceCode ?? "", out var service))
        {
            throw new ArgumentException($"Den Dienst „{request.ServiceCode}“ gibt es nicht (bekannt: {string.Join(", ", ServiceCatalog.Services(tenant).Keys)}).", nameof(request));
        }
        if (string.IsNullOrWhiteSpace(request.Description) || request.Description.Length > MaxDescriptionLength)
        {
            throw new ArgumentException($"Die Beschreibung fehlt oder ist länger als {MaxDescriptionLength} Zeichen.", nameof(request));
        }
        if (request.Place is { } place && (place.Latitude is < -90 or > 90 || place.Longitude is < -180 or > 180
            || double.IsNaN(place.Latitude) || double.IsNaN(place.Longitude)))
        {
            throw new ArgumentException("Der Ort liegt nicht auf der Erde (Breite −90…90, Länge −180…180).", nameof(request));
        }
        return service;
    }

    /// <summary>The tenant's next request number in the year of <paramref name="at"/>, e.g. <c>2026-0042</c>.</summary>
    public static string NextId(IEnumerable<string> existing, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var prefix = at.Year.ToString(CultureInfo.InvariantCulture) + "-";
        var last = existing.Where(id => id.StartsWith(prefix, StringComparison.Ordinal))
            .Select(id => int.TryParse(id.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(0).Max();
        return prefix + (last + 1).ToString("D4", CultureInfo.InvariantCulture);
    }

    /// <summary>Whether a request matches a filter (at <paramref name="now"/>, for "overdue").</summary>
    public static bool Matches(ServiceRequest request, ServiceRequestFilter filter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(filter);
        return (filter.ServiceCodes.IsDefaultOrEmpty || filter.ServiceCodes.Contains(request.ServiceCode))
            && (filter.Statuses.IsDefaultOrEmpty || filter.Statuses.Contains(request.Status))
            && (filter.Department is null || request.Department == filter.Department)
            && (filter.From is not { } from || request.RequestedAt >= from)
            && (filter.To is not { } to || request.RequestedAt <= to)
            && (!filter.Overdue || request.IsOverdue(now))
            && (filter.CitizenKey is null || request.CitizenKey == filter.CitizenKey);
    }

    /// <summary>The erasure's view of a request: no citizen, no staff-only text, no photos.</summary>
    public static ServiceRequest Anonymise(ServiceRequest request, DateTimeOffset now) => request with
    {
        CitizenKey = null,
        Contact = null,
        Description = request.PublicDescription,
        Photos = ImmutableArray<RequestPhoto>.Empty,
        Place = request.Place?.PublicView(),
        Anonymised = true,
        UpdatedAt = now,
        Version = request.Version + 1,
    };

    [GeneratedRegex(@"[\p{L}0-9._%+\-]+@[\p{L}0-9.\-]+\.[\p{L}]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:https?://|www\.)\S+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Link();

    // A phone number: 6 or more digits, with spaces, '/', '-' or '(…)' between them, with or without "+".
    [GeneratedRegex(@"(?<![\p{L}0-9])\+?\(?[0-9][0-9 ()/\-]{4,}[0-9](?![\p{L}0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex(@"\b(?<form>Herr|Herrn|Frau|Hr\.|Fr\.|Familie|Fam\.)\s+\p{Lu}[\p{L}\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex Addressed();
}
