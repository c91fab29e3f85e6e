using System.Globalization;
using GoldbachActors.Cli;
using GoldbachActors.StaffApi.V1;
using Google.Protobuf.WellKnownTypes;

namespace GoldbachActors.Tests.CommandLine;

/// <summary><c>show</c> prints structured content in words, not as <c>[reaction]</c> or <c>[location]</c>.</summary>
public sealed class CliShowTests
{
    private static readonly Timestamp At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 5, 9, 30, 0, TimeSpan.Zero));

    private static InboundMessage Message(string wamid, string type) => new() { WhatsappMessageId = wamid, Type = type, SendTime = At };

    private static List<string> Show(params ConversationEntry[] entries)
    {
        var conversation = new Conversation();
        conversation.Entries.AddRange(entries);
        return [.. ConversationText.Lines(conversation, at => at.ToString("HH:mm", CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void A_location_contacts_buttons_and_media_are_written_out()
    {
        var location = Message("w1", "location");
        location.Location = new Location { Latitude = 50.0013, Longitude = 9.1854, Name = "Spielplatz Ringstraße" };
        var contact = Message("w2", "contacts");
        contact.Contacts.Add(new SharedContact { FormattedName = "Hausmeister Müller", PhoneNumbers = { "+49 6021 1234" } });
        var list = Message("w3", "interactive");
        list.Button = new ButtonReply { Kind = "list_reply", Id = "grill", Title = "Grillplatz", Description = "Reservierung" };
        var button = Message("w4", "button");
        button.Button = new ButtonReply { Kind = "button", Id = "MORE", Title = "Mehr erfahren" };
        var photo = Message("w5", "image");
        photo.Text = "Kaputte Schaukel";
        photo.Media = new Media { Kind = "image", MimeType = "image/jpeg", Caption = "Kaputte Schaukel", SizeBytes = 245_760, Status = MediaStatus.Stored };
        var voice = Message("w6", "audio");
        voice.Media = new Media { Kind = "audio", Voice = true, Status = MediaStatus.Failed, FailureReason = "Datei zu groß" };

        var lines = Show(
            new ConversationEntry { Inbound = location }, new ConversationEntry { Inbound = contact }, new ConversationEntry { Inbound = list },
            new ConversationEntry { Inbound = button }, new ConversationEntry { Inbound = photo }, new ConversationEntry { Inbound = voice });

        Assert.Equal(
        [
            "09:30  citizen:  Standort 50.00130, 9.18540 (Spielplatz Ringstraße) https://www.openstreetmap.org/?mlat=50.00130&mlon=9.18540#map=18/50.00130/9.18540",
            "09:30  citizen:  Kontakt: Hausmeister Müller, +49 6021 1234",
            "09:30  citizen:  Listenauswahl: Grillplatz (Reservierung)",
            "09:30  citizen:  Schaltfläche: Mehr erfahren",
            "09:30  citizen:  [image, image/jpeg, 240.0 KB, gespeichert] Kaputte Schaukel",
            "09:30  citizen:  [voice, nicht verfügbar: Datei zu groß]",
        ], lines);
    }

    [Fact]
    public void A_reaction_shows_on_its_message_a_quote_above_the_reply_and_edits_and_deletions_as_staff_see_them()
    {
        var lamp = Message("w1", "text");
        lamp.Text = "Die Laterne ist aus";
        lamp.CitizenReaction = "👍";
        var applied = Message("w2", "reaction");
        applied.Reaction = new Reaction { MessageId = "w1", Emoji = "👍" };
        applied.AppliedToTarget = true;
        var reply = Message("w3", "text");
        reply.Text = "Und die Bank ist beschmiert";
        reply.EditTime = At;
        reply.Quoted = new QuotedMessage { MessageId = "w1", Preview = "Die Laterne ist aus" };
        var gone = Message("w4", "text");
        gone.RevokeTime = At;
        var old = Message("w5", "reaction");
        old.Reaction = new Reaction { MessageId = "w0", Emoji = "🙏" };
        old.Quoted = new QuotedMessage { MessageId = "w0", FromTown = true, Preview = "Wir kümmern uns." };
        var echo = new OutboundMessage { Kind = OutboundKind.AppEcho, State = DeliveryState.Sent, Text = "Erledigt.", CreateTime = At, CitizenReaction = "❤️" };

        var lines = Show(
            new ConversationEntry { Inbound = lamp }, new ConversationEntry { Inbound = applied }, new ConversationEntry { Inbound = reply },
            new ConversationEntry { Inbound = gone }, new ConversationEntry { Inbound = old }, new ConversationEntry { Outbound = echo });

        Assert.Equal(
        [
            "09:30  citizen:  Die Laterne ist aus  [Reaktion 👍]",
            "                   > citizen: Die Laterne ist aus",
            "09:30  citizen:  Und die Bank ist beschmiert (bearbeitet)",
            "09:30  citizen:  Nachricht wurde gelöscht",
            "                   > wir: Wir kümmern uns.",
            "09:30  citizen:  Reaktion 🙏",
            "09:30  wir (App, Sent):  Erledigt.  [Reaktion ❤️]",
        ], lines);
    }
}
