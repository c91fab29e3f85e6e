using System.Globalization;
using System.Text;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// What the department's mail about a new request says: the work (service, place, the public text, how many photos,
/// the expected date) and a link into the web inbox, never the citizen's number, name or own words (the public text is
/// scrubbed of them). Questions to the citizen go through the inbox, as "we".
/// </summary>
public static class DepartmentMailText
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    /// <summary>The path that opens the request in the web inbox (after sign-in).</summary>
    public static string LinkOf(string requestId) => $"#/anliegen/{Uri.EscapeDataString(requestId)}";

    /// <summary>The subject and the plain-text body of the mail to <paramref name="departmentName"/>.</summary>
    public static (string Subject, string Body) For(ServiceRequest request, string serviceName, string departmentName, string townName, Uri? inbox)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = $"Neues Anliegen {request.Id}: {serviceName} ({departmentName})";
        var body = new StringBuilder();
        body.AppendLine(German, $"Neues Anliegen {request.Id} für {departmentName}, {townName}");
        body.AppendLine();
        body.AppendLine(German, $"Leistung:      {serviceName}");
        body.AppendLine(German, $"Eingegangen:   {When(request.RequestedAt)}");
        if (request.ExpectedAt is { } expected)
        {
            body.AppendLine(German, $"Erledigen bis: {When(expected)}");
        }
        if (request.Place is { } place)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{place.Latitude:0.000000}, {place.Longitude:0.000000}");
            body.AppendLine(German, $"Ort:           {(place.Address is { Length: > 0 } address ? $"{address} ({at})" : at)}");
            body.AppendLine(German, $"               geo:{at.Replace(" ", "", StringComparison.Ordinal)}");
        }
        else
        {
            body.AppendLine("Ort:           noch nicht bekannt (im Posteingang nachfragen)");
        }
        var photos = request.Photos.IsDefault ? 0 : request.Photos.Length;
        body.AppendLine(German, $"Fotos:         {(photos == 0 ? "keine" : $"{photos} im Posteingang")}");
        body.AppendLine();
        body.AppendLine("Beschreibung:");
        body.AppendLine(request.PublicDescription);
        body.AppendLine();
        if (inbox is not null)
        {
            body.AppendLine("Im Posteingang öffnen (nach Anmeldung):");
            body.AppendLine(new Uri(inbox, LinkOf(request.Id)).ToString());
            body.AppendLine();
        }
        body.AppendLine("Diese Mail enthält keine Daten der meldenden Person. Rückfragen und die Rückmeldung an sie gehen über den");
        body.Append("Posteingang; dort den Stand setzen (in Arbeit, erledigt, abgelehnt).");
        return (subject, body.ToString());
    }

    private static string When(DateTimeOffset at)
    {
        var local = TownTime.Local(at);
        return local.ToString("dddd, dd.MM.yyyy, HH:mm 'Uhr'", German);
    }
}
