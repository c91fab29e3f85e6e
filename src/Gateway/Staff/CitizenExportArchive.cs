using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Storage.Blobs;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;

namespace GoldbachActors.Gateway.Staff;

/// <summary>One media file of an export: the message it came with and where it lies in the archive.</summary>
public sealed record ExportedMedia(string WhatsAppMessageId, string Kind, string? MimeType, long Size, string File);

/// <summary>An audit entry as the citizen sees it: when, what, by which role (never which person).</summary>
public sealed record ExportedAuditEntry(DateTimeOffset At, string Action, string Role);

/// <summary>
/// A citizen's data export (GDPR Art. 15) as one ZIP archive: <c>export.json</c> (everything, machine-readable),
/// <c>bericht.html</c> (the same in German for reading and printing) and <c>medien/</c> (the files the citizen sent).
/// Streamed to the caller as it is written (see <see cref="WriteAsync"/>).
/// </summary>
public static class CitizenExportArchive
{
    public const string JsonEntry = "export.json";
    public const string HtmlEntry = "bericht.html";
    public const string MediaFolder = "medien/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A file to read, in any script (German umlauts, Ukrainian): characters as they are, not \u escapes. Never
        // embedded in HTML, so the relaxed escaping is safe here.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    /// <summary>
    /// Writes the archive to <paramref name="target"/> as it goes: each media file is copied from its blob into the
    /// archive as it is read, so nothing of the size of a file is held in memory or on disk (a document may be 100 MB,
    /// the gateway's temp folder is small). The target need not seek (the entries carry data descriptors).
    /// </summary>
    public static async Task WriteAsync(
        Stream target, string controller, CitizenExport export, IReadOnlyList<StaffAuditEntry> audit, IReadOnlyList<ServiceRequest> requests,
        BlobContainerClient media, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(media);
        var entries = audit.Select(e => new ExportedAuditEntry(e.At, e.Action, e.Role)).ToList();
        await using var zip = await ZipArchive.CreateAsync(target, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        var files = new List<ExportedMedia>();
        foreach (var message in export.Inbound)
        {
            if (message.Media is not { Status: MediaStatus.Stored, BlobName: { } blobName } attachment)
            {
                continue;
            }
            var name = $"{MediaFolder}{SafeName(message.WhatsAppMessageId)}{Extension(attachment.MimeType)}";
            var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            await using (var entryStream = await entry.OpenAsync(cancellationToken))
            {
                var download = await media.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
                await using var source = download.Value.Content;
                await source.CopyToAsync(entryStream, cancellationToken);
            }
            files.Add(new ExportedMedia(message.WhatsAppMessageId, attachment.Kind, attachment.MimeType, attachment.SizeBytes ?? 0, name));
        }
        await WriteEntryAsync(zip, JsonEntry, stream => JsonSerializer.SerializeAsync(stream, new
        {
            Format = "goldbach-auskunft/1",
            Controller = controller,
            export.ExportedAt,
            Citizen = export,
            MediaFiles = files,
            AuditEntries = entries,
            Requests = requests.Select(r => new { r.Id, r.ServiceCode, r.Description, r.Status, r.StatusNotes, r.RequestedAt, r.ExpectedAt, r.Place, r.Department }),
        }, Json, cancellationToken), cancellationToken);
        var html = Html(controller, export, files, entries, requests);
        await WriteEntryAsync(zip, HtmlEntry, stream => stream.WriteAsync(Encoding.UTF8.GetBytes(html), cancellationToken).AsTask(), cancellationToken);
    }

    /// <summary>The archive's file name: <c>auskunft-{date}.zip</c> (no name or number in it: it travels by mail).</summary>
    public static string FileName(DateTimeOffset exportedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"auskunft-{TownTime.Local(exportedAt):yyyy-MM-dd}.zip");

    /// <summary>The readable report in German: one HTML page, printable, without scripts or outside resources.</summary>
    public static string Html(
        string controller, CitizenExport export, IReadOnlyList<ExportedMedia> files, IReadOnlyList<ExportedAuditEntry> audit, IReadOnlyList<ServiceRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(export);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Auskunft nach Art. 15 DSGVO</title>")
            .Append("<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}table{border-collapse:collapse;width:100%}")
            .Append("th,td{border:1px solid #999;padding:.3rem;text-align:left;vertical-align:top}th{background:#eee}</style></head><body>");
        html.Append("<h1>Auskunft nach Art. 15 DSGVO</h1>")
            .Append("<p>Verantwortlich: ").Append(E(controller)).Append(". Erstellt am ").Append(E(When(export.ExportedAt)))
            .Append(". Diese Auskunft enthält alle Daten, die der WhatsApp-Service der Verwaltung über Sie gespeichert hat. ")
            .Append("Die Datei <code>").Append(JsonEntry).Append("</code> enthält dieselben Angaben maschinenlesbar.</p>");

        html.Append("<h2>Ihre Angaben</h2><table>");
        Row(html, "WhatsApp-Kennung", export.Identity);
        Row(html, "Telefonnummer", export.PhoneNumber ?? "nicht bekannt");
        Row(html, "Profilname", export.ProfileName ?? "nicht bekannt");
        Row(html, "Sprache", export.Language ?? "Deutsch (Standard)");
        Row(html, "Frühere Kennungen", export.FormerIdentities.Length == 0 ? "keine" : string.Join(", ", export.FormerIdentities));
        Row(html, "Stand des Anliegens", Status(export.Summary.Status));
        Row(html, "Kategorie", export.Summary.Category ?? "keine");
        html.Append("</table>");

        html.Append("<h2>Nachrichtenverlauf</h2><table><tr><th>Zeit</th><th>Von</th><th>Inhalt</th><th>Zustellung</th></tr>");
        var timeline = export.Inbound.Select(m => (At: m.SentAt, Row: (From: "Sie", Text: Describe(m, files), State: "")))
            .Concat(export.Outbound.Select(m => (At: m.CreatedAt, Row: (From: "Verwaltung", Text: m.Text, State: Delivery(m)))))
            .OrderBy(t => t.At);
        foreach (var (at, (from, text, state)) in timeline)
        {
            html.Append("<tr><td>").Append(E(When(at))).Append("</td><td>").Append(E(from)).Append("</td><td>")
                .Append(E(text)).Append("</td><td>").Append(E(state)).Append("</td></tr>");
        }
        html.Append("</table>");

        html.Append("<h2>Interne Vermerke und Bearbeitung</h2>");
        if (export.Events.Length == 0)
        {
            html.Append("<p>Keine.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Zeit</th><th>Wer</th><th>Was</th></tr>");
            foreach (var e in export.Events)
            {
                html.Append("<tr><td>").Append(E(When(e.At))).Append("</td><td>")
                    .Append(E(e.Actor == ConversationEvent.SystemActor ? "automatisch" : e.Actor)).Append("</td><td>")
                    .Append(E(Describe(e))).Append("</td></tr>");
            }
            html.Append("</table>");
        }

        html.Append("<h2>Verteiler und Einwilligungen</h2>");
        html.Append("<p>Mitglied in: ").Append(E(export.Memberships.Length == 0
            ? "keinem Verteiler"
            : string.Join(", ", export.Memberships.Select(m => $"{m.ListId} (seit {When(m.Since)}, Sprache {m.Language})")))).Append(".</p>");
        if (export.MarketingStopped)
        {
            html.Append("<p>Sie haben in WhatsApp Werbenachrichten abbestellt.</p>");
        }
        if (export.ConsentHistory.Length > 0)
        {
            html.Append("<table><tr><th>Zeit</th><th>Verteiler</th><th>Vorgang</th><th>Weg</th><th>Vermerk</th></tr>");
            foreach (var c in export.ConsentHistory)
            {
                html.Append("<tr><td>").Append(E(When(c.At))).Append("</td><td>").Append(E(c.ListId ?? "Werbenachrichten"))
                    .Append("</td><td>").Append(c.Action == ConsentAction.Joined ? "eingetragen" : "ausgetragen")
                    .Append("</td><td>").Append(c.Channel switch
                    {
                        ConsentChannel.Keyword => "Stichwort per WhatsApp",
                        ConsentChannel.Staff => "durch die Verwaltung auf Ihren Wunsch",
                        _ => "Einstellung in WhatsApp",
                    }).Append("</td><td>").Append(E(c.Note ?? "")).Append("</td></tr>");
            }
            html.Append("</table>");
        }

        html.Append("<h2>Rundsendungen</h2>");
        if (export.BroadcastRecipients.Length == 0)
        {
            html.Append("<p>Keine.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Rundsendung</th><th>Sprache</th><th>Zustellung</th><th>Vorlage</th><th>Grund</th><th>Ihre Antwort</th></tr>");
            foreach (var r in export.BroadcastRecipients)
            {
                html.Append("<tr><td>").Append(E(r.BroadcastId)).Append("</td><td>").Append(E(r.Language)).Append("</td><td>")
                    .Append(E(Describe(r.State))).Append("</td><td>").Append(r.AsTemplate ? "ja" : "nein").Append("</td><td>")
                    .Append(E(r.Reason ?? "")).Append("</td><td>").Append(r.Replied ? "ja" : "nein").Append("</td></tr>");
            }
            html.Append("</table>");
        }
        if (export.ReachedOutsideWindowAt is { } reached)
        {
            html.Append("<p>Außerhalb des 24-Stunden-Fensters erreicht am ").Append(E(When(reached)))
                .Append(" (Vermerk für das Nachrichtenlimit von WhatsApp, 24 Stunden lang gespeichert).</p>");
        }

        html.Append("<h2>Anliegen</h2>");
        if (requests.Count == 0)
        {
            html.Append("<p>Keine.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Nummer</th><th>Gemeldet</th><th>Beschreibung</th><th>Ort</th><th>Stand</th></tr>");
            foreach (var r in requests)
            {
                html.Append("<tr><td>").Append(E(r.Id)).Append("</td><td>").Append(E(When(r.RequestedAt))).Append("</td><td>").Append(E(r.Description))
                    .Append("</td><td>").Append(E(r.Place is { } p ? p.Address ?? string.Create(CultureInfo.InvariantCulture, $"{p.Latitude:F5}, {p.Longitude:F5}") : ""))
                    .Append("</td><td>").Append(E(r.Status.ToString())).Append(r.StatusNotes is { } notes ? ": " + E(notes) : "").Append("</td></tr>");
            }
            html.Append("</table>");
        }

        html.Append("<h2>Dateien</h2>");
        html.Append(files.Count == 0 ? "<p>Keine.</p>" : "<ul>");
        foreach (var f in files)
        {
            html.Append("<li><a href=\"").Append(E(f.File)).Append("\">").Append(E(f.File)).Append("</a> (")
                .Append(E(f.MimeType ?? f.Kind)).Append(", ").Append(f.Size.ToString("N0", German)).Append(" Bytes)</li>");
        }
        html.Append(files.Count == 0 ? "" : "</ul>");

        html.Append("<h2>Zugriffe der Verwaltung</h2><p>Wann Mitarbeitende der Verwaltung Ihr Anliegen aufgerufen oder bearbeitet haben.</p>");
        if (audit.Count == 0)
        {
            html.Append("<p>Keine.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Zeit</th><th>Vorgang</th><th>Rolle</th></tr>");
            foreach (var a in audit)
            {
                html.Append("<tr><td>").Append(E(When(a.At))).Append("</td><td>").Append(E(ActionText(a.Action))).Append("</td><td>").Append(E(a.Role)).Append("</td></tr>");
            }
            html.Append("</table>");
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static async Task WriteEntryAsync(ZipArchive zip, string name, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var stream = await entry.OpenAsync(cancellationToken);
        await write(stream);
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private static string Describe(RecipientState state) => state switch
    {
        RecipientState.Pending => "noch nicht versandt",
        RecipientState.Deferred => "wartet auf das Nachrichtenlimit",
        RecipientState.Queued => "in Versand",
        RecipientState.Sent => "versandt",
        RecipientState.Delivered => "zugestellt",
        RecipientState.Read => "gelesen",
        RecipientState.Failed => "fehlgeschlagen",
        RecipientState.Skipped => "nicht versandt",
        RecipientState.WaitingForAnswer => "Vorlage versandt, Text wartet auf Ihre Antwort",
        _ => state.ToString(),
    };

    private static string Describe(InboundMessage m, IReadOnlyList<ExportedMedia> files)
    {
        var parts = new List<string>();
        if (m.Text is { } text)
        {
            parts.Add(text);
        }
        if (m.Media is { } media)
        {
            var file = files.FirstOrDefault(f => f.WhatsAppMessageId == m.WhatsAppMessageId);
            parts.Add($"[{media.Kind}{(file is null ? ", nicht gespeichert" : $": {file.File}")}]{(media.Caption is { } c ? " " + c : "")}");
        }
        if (m.Location is { } location)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"[Standort {location.Latitude:0.#####}, {location.Longitude:0.#####}{(location.Name is { } n ? " " + n : "")}{(location.Address is { } a ? ", " + a : "")}]"));
        }
        if (m.Reaction is { } reaction)
        {
            parts.Add($"[Reaktion {reaction.Emoji}]");
        }
        if (m.Button is { } button)
        {
            parts.Add($"[Auswahl: {button.Title}]");
        }
        return parts.Count > 0 ? string.Join(" ", parts) : $"[{m.Type}]";
    }

    private static string Describe(ConversationEvent e) => e.Kind switch
    {
        ConversationEventKind.Started => "Anliegen eröffnet",
        ConversationEventKind.StatusChanged => $"Stand: {StatusText(e.From)} → {StatusText(e.To)}",
        ConversationEventKind.CategoryChanged => $"Kategorie: {e.To}",
        ConversationEventKind.Escalated => "als dringend (Gefahr) eingestuft",
        ConversationEventKind.FloodFlagged => "viele Nachrichten in kurzer Zeit",
        ConversationEventKind.Note => $"Vermerk: {e.To}",
        ConversationEventKind.Assigned => "Zuständigkeit geändert",
        ConversationEventKind.PriorityChanged => $"Priorität: {e.To}",
        ConversationEventKind.Blocked => "bei WhatsApp gesperrt",
        ConversationEventKind.Unblocked => "Sperre aufgehoben",
        _ => e.Kind.ToString(),
    };

    private static string Delivery(OutboundMessage m) => m.State switch
    {
        DeliveryState.Queued => "wartet auf Versand",
        DeliveryState.Sent => "gesendet",
        DeliveryState.Delivered => "zugestellt",
        DeliveryState.Read => "gelesen",
        DeliveryState.Failed => $"fehlgeschlagen{(m.FailureReason is { } r ? ": " + r : "")}",
        DeliveryState.Sending => "wird gesendet",
        DeliveryState.WaitingForWindow => "wartet auf Ihre Antwort (24-Stunden-Fenster)",
        _ => m.State.ToString(),
    };

    // A status change names the status in English ("Snoozed until 2026-…"): the German word, the rest as it is.
    private static string StatusText(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? value : value[..space];
        return Enum.TryParse<ConversationStatus>(name, out var status) ? Status(status) + (space < 0 ? "" : value[space..].Replace(" until ", " bis ", StringComparison.Ordinal)) : value;
    }

    // What staff did, in the words of the report; anything newer keeps its API name.
    private static string ActionText(string action) => action switch
    {
        "GetConversation" => "Anliegen aufgerufen",
        "Reply" => "Antwort gesendet",
        "AddNote" => "Vermerk angelegt",
        "SetStatus" => "Stand geändert",
        "Snooze" => "zurückgestellt",
        "SetCategory" => "Kategorie geändert",
        "SetPriority" => "Priorität geändert",
        "Assign" => "Zuständigkeit geändert",
        "MarkRead" => "als gelesen markiert",
        "React" => "mit einem Emoji reagiert",
        "SetBlocked" => "Sperre geändert",
        "SignalTyping" => "Antwort geschrieben",
        "DownloadMedia" => "Datei angesehen",
        "AddListMember" => "in Verteiler eingetragen",
        "RemoveListMember" => "aus Verteiler ausgetragen",
        "GetCitizenConsent" => "Einwilligungen angesehen",
        "ExportCitizen" => "Auskunft erstellt",
        _ => action,
    };

    private static string Status(ConversationStatus status) => status switch
    {
        ConversationStatus.New => "neu",
        ConversationStatus.Open => "in Bearbeitung",
        ConversationStatus.WaitingForCitizen => "wartet auf Ihre Antwort",
        ConversationStatus.Snoozed => "zurückgestellt",
        ConversationStatus.Resolved => "erledigt",
        _ => status.ToString(),
    };

    private static string When(DateTimeOffset at) => TownTime.Local(at).ToString("dd.MM.yyyy HH:mm", German);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string SafeName(string wamid) => new([.. wamid.Where(char.IsAsciiLetterOrDigit).TakeLast(48)]);

    private static string Extension(string? mimeType) => mimeType?.Split(';')[0].Trim() switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/webp" => ".webp",
        "audio/ogg" => ".ogg",
        "audio/mpeg" => ".mp3",
        "audio/aac" => ".aac",
        "audio/mp4" => ".m4a",
        "video/mp4" => ".mp4",
        "video/3gpp" => ".3gp",
        "application/pdf" => ".pdf",
        "text/plain" => ".txt",
        _ => ".bin",
    };
}
