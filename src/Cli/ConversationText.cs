using System.Globalization;
using GoldbachActors.StaffApi.V1;

namespace GoldbachActors.Cli;

/// <summary>
/// A conversation as <c>show</c> prints it: one line per entry, structured content in words (a location with a map
/// link, a reaction on the message it refers to, contact cards, buttons, media with type, size and status), quotes on
/// the line above the reply, edits and deletions as staff see them in the web inbox.
/// </summary>
public static class ConversationText
{
    /// <summary>The lines of the history, oldest first; <paramref name="when"/> writes a time.</summary>
    public static IEnumerable<string> Lines(Conversation conversation, Func<DateTimeOffset, string> when)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(when);
        string When(Google.Protobuf.WellKnownTypes.Timestamp time) => when(time.ToDateTimeOffset());
        foreach (var entry in conversation.Entries)
        {
            if (entry.Inbound is { } inbound)
            {
                if (inbound.AppliedToTarget)
                {
                    continue; // shown on the message it changed
                }
                if (inbound.Quoted is { } quoted)
                {
                    yield return $"                   > {Quote(quoted)}";
                }
                yield return $"{When(inbound.SendTime)}  citizen:  {Describe(inbound)}";
            }
            else if (entry.Outbound is { } outbound)
            {
                var by = outbound.Kind == OutboundKind.AppEcho ? "App" : string.IsNullOrEmpty(outbound.SentBy) ? "automatic" : outbound.SentBy;
                var text = outbound.RevokeTime is not null ? "Nachricht wurde gelöscht" : outbound.Text + (outbound.EditTime is not null ? " (bearbeitet)" : "");
                yield return $"{When(outbound.CreateTime)}  wir ({by}, {outbound.State}):  {text}{Reacted(outbound.CitizenReaction)}";
            }
            else if (entry.Event is { } change)
            {
                var values = string.IsNullOrEmpty(change.From) && string.IsNullOrEmpty(change.To) ? "" : $" {change.From} → {change.To}";
                yield return $"{When(change.Time)}  ({change.Actor}: {change.Kind}{values})";
            }
        }
    }

    /// <summary>One message of the citizen in words.</summary>
    public static string Describe(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.RevokeTime is not null)
        {
            return "Nachricht wurde gelöscht";
        }
        var parts = new List<string>();
        if (message.Media is { } media)
        {
            parts.Add(Media(media));
        }
        if (!string.IsNullOrEmpty(message.Text) && message.Media?.Caption != message.Text)
        {
            parts.Add(message.Text);
        }
        else if (message.Media is { Caption: { Length: > 0 } caption })
        {
            parts.Add(caption);
        }
        if (message.Location is { } location)
        {
            parts.Add(Location(location));
        }
        foreach (var contact in message.Contacts)
        {
            var reachable = string.Join(", ", contact.PhoneNumbers.Concat(contact.Emails));
            parts.Add($"Kontakt: {contact.FormattedName}{(string.IsNullOrEmpty(contact.Organization) ? "" : $" ({contact.Organization})")}{(reachable.Length > 0 ? $", {reachable}" : "")}");
        }
        if (message.Button is { } button)
        {
            var title = string.IsNullOrEmpty(button.Title) ? button.Id : button.Title;
            parts.Add(button.Kind == "list_reply" ? $"Listenauswahl: {title}{(string.IsNullOrEmpty(button.Description) ? "" : $" ({button.Description})")}" : $"Schaltfläche: {title}");
        }
        if (message.Reaction is { } reaction)
        {
            parts.Add(string.IsNullOrEmpty(reaction.Emoji) ? "Reaktion entfernt" : $"Reaktion {reaction.Emoji}");
        }
        if (message.Type == "edit")
        {
            parts.Insert(0, "Bearbeitung einer älteren Nachricht:");
        }
        else if (message.Type == "revoke")
        {
            parts.Add("Löschung einer älteren Nachricht");
        }
        if (message.System is { } system)
        {
            parts.Add($"Systemhinweis: {system.Body}");
        }
        if (parts.Count == 0)
        {
            parts.Add($"[{(message.Type == "unsupported" && !string.IsNullOrEmpty(message.UnsupportedType) ? message.UnsupportedType : message.Type)}]");
        }
        if (message.EditTime is not null)
        {
            parts.Add("(bearbeitet)");
        }
        return string.Join(" ", parts) + Reacted(message.CitizenReaction);
    }

    private static string Quote(QuotedMessage quoted) =>
        $"{(quoted.FromTown ? "wir" : "citizen")}: {(string.IsNullOrEmpty(quoted.Preview) ? "Nachricht wurde gelöscht" : quoted.Preview)}";

    private static string Reacted(string emoji) => string.IsNullOrEmpty(emoji) ? "" : $"  [Reaktion {emoji}]";

    private static string Location(Location location)
    {
        var lat = location.Latitude.ToString("0.00000", CultureInfo.InvariantCulture);
        var lon = location.Longitude.ToString("0.00000", CultureInfo.InvariantCulture);
        var place = string.Join(", ", new[] { location.Name, location.Address }.Where(s => !string.IsNullOrEmpty(s)));
        return $"Standort {lat}, {lon}{(place.Length > 0 ? $" ({place})" : "")} https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}";
    }

    private static string Media(Media media)
    {
        var status = media.Status switch
        {
            MediaStatus.Stored => "gespeichert",
            MediaStatus.Pending => "wird abgeholt",
            MediaStatus.Failed => $"nicht verfügbar: {media.FailureReason}",
            _ => "unbekannt",
        };
        var details = new List<string> { media.Voice ? "voice" : media.Kind };
        if (!string.IsNullOrEmpty(media.MimeType))
        {
            details.Add(media.MimeType);
        }
        if (media.SizeBytes > 0)
        {
            details.Add(Size(media.SizeBytes));
        }
        if (!string.IsNullOrEmpty(media.FileName))
        {
            details.Add(media.FileName);
        }
        details.Add(status);
        return $"[{string.Join(", ", details)}]";
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
    };
}
