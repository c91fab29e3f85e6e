using System.Collections.Immutable;
using System.Text.Json;
using GoldbachActors.Contracts;

namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>One message's content by type: media, location, contacts, buttons, reactions, edits, deletions, notices.</summary>
public static partial class WebhookPayloadParser
{
    // The message's content by type; a type this code does not know is kept as unsupported, never dropped.
    private static InboundMessage ReadContent(InboundMessage inbound, JsonElement item, string type)
    {
        var system = type == "system" && Obj(item, "system") is { } systemObject ? systemObject : (JsonElement?)null;
        return type switch
        {
            "text" => inbound with
            {
                Text = Obj(item, "text") is { } text ? Str(text, "body") : null,
                Referral = ReadReferral(item),
            },
            "image" or "audio" or "video" or "document" or "sticker" => ReadMedia(inbound, item, type),
            "location" => inbound with { Location = ReadLocation(item) },
            "contacts" => inbound with { Contacts = ReadContacts(item) },
            "interactive" => inbound with { Button = ReadInteractive(item) },
            "button" => inbound with
            {
                Button = Obj(item, "button") is { } button ? new ButtonReply("button", Str(button, "payload"), Str(button, "text"), null) : null,
                Text = Obj(item, "button") is { } b ? Str(b, "text") : null,
            },
            "reaction" => ReadReaction(inbound, item),
            "system" => inbound with
            {
                System = system is { } notice
                    ? new SystemNotice(Str(notice, "type") ?? "unknown", Str(notice, "body"), Str(notice, "wa_id"), Str(notice, "user_id"))
                    : null,
            },
            "unsupported" => inbound with { UnsupportedType = Obj(item, "unsupported") is { } u ? Str(u, "type") : null },
            "edit" => ReadEdit(inbound, item),
            "revoke" => Obj(item, "revoke") is { } revoke && Str(revoke, "original_message_id") is { } revoked
                ? inbound with { RevokedMessageId = revoked }
                : inbound with { Type = "unsupported", UnsupportedType = "revoke" },
            // A type this code does not know yet is kept, as unsupported, never dropped.
            _ => inbound with { Type = "unsupported", UnsupportedType = type },
        };
    }

    // edit: {original_message_id, message: {type, text: {body}} or {type, image: {caption, …}}}.
    private static InboundMessage ReadEdit(InboundMessage inbound, JsonElement item)
    {
        if (Obj(item, "edit") is not { } edit || Str(edit, "original_message_id") is not { } original)
        {
            return inbound with { Type = "unsupported", UnsupportedType = "edit" };
        }
        var changed = Obj(edit, "message");
        var kind = changed is { } c ? Str(c, "type") : null;
        var text = changed is { } m && kind is not null && Obj(m, kind) is { } content ? Str(content, "body") ?? Str(content, "caption") : null;
        return inbound with { Edit = new MessageEdit(original, text), Text = text };
    }

    private static InboundMessage ReadMedia(InboundMessage inbound, JsonElement item, string kind)
    {
        if (Obj(item, kind) is not { } media || Str(media, "id") is not { } mediaId)
        {
            return inbound with { Type = "unsupported", UnsupportedType = kind };
        }
        return inbound with
        {
            Text = Str(media, "caption"),
            Media = new MediaAttachment
            {
                Kind = kind,
                MediaId = mediaId,
                MimeType = Str(media, "mime_type"),
                Sha256 = Str(media, "sha256"),
                Caption = Str(media, "caption"),
                FileName = Str(media, "filename"),
                Voice = Bool(media, "voice"),
                Animated = Bool(media, "animated"),
            },
        };
    }

    private static InboundMessage ReadReaction(InboundMessage inbound, JsonElement item)
    {
        if (Obj(item, "reaction") is not { } reaction || Str(reaction, "message_id") is not { } messageId)
        {
            return inbound with { Type = "unsupported", UnsupportedType = "reaction" };
        }
        var emoji = Str(reaction, "emoji");
        return inbound with { Reaction = new Reaction(messageId, string.IsNullOrEmpty(emoji) ? null : emoji) };
    }

    private static MessageContext? ReadContext(JsonElement item)
    {
        if (Obj(item, "context") is not { } context)
        {
            return null;
        }
        return new MessageContext(Str(context, "id"), Bool(context, "forwarded"), Bool(context, "frequently_forwarded"));
    }

    private static Referral? ReadReferral(JsonElement item) =>
        Obj(item, "referral") is { } r
            ? new Referral(Str(r, "source_url"), Str(r, "source_type"), Str(r, "headline"), Str(r, "body"))
            : null;

    private static SharedLocation? ReadLocation(JsonElement item)
    {
        if (Obj(item, "location") is not { } location
            || Num(location, "latitude") is not { } latitude
            || Num(location, "longitude") is not { } longitude
            || latitude is < -90 or > 90
            || longitude is < -180 or > 180)
        {
            return null;
        }
        return new SharedLocation(latitude, longitude, Str(location, "name"), Str(location, "address"), Str(location, "url"));
    }

    private static ImmutableArray<SharedContact> ReadContacts(JsonElement item)
    {
        var builder = ImmutableArray.CreateBuilder<SharedContact>();
        foreach (var contact in Array(item, "contacts"))
        {
            var name = Obj(contact, "name") is { } n ? Str(n, "formatted_name") ?? Str(n, "first_name") : null;
            var phones = Array(contact, "phones").Select(p => Str(p, "phone") ?? Str(p, "wa_id")).OfType<string>().ToImmutableArray();
            var emails = Array(contact, "emails").Select(e => Str(e, "email")).OfType<string>().ToImmutableArray();
            var organization = Obj(contact, "org") is { } org ? Str(org, "company") : null;
            builder.Add(new SharedContact(name, phones, emails, organization));
        }
        return builder.ToImmutable();
    }

    private static ButtonReply? ReadInteractive(JsonElement item)
    {
        if (Obj(item, "interactive") is not { } interactive)
        {
            return null;
        }
        var kind = Str(interactive, "type") ?? "unknown";
        if (Obj(interactive, kind) is not { } reply)
        {
            return new ButtonReply(kind, null, null, null);
        }
        return new ButtonReply(kind, Str(reply, "id"), Str(reply, "title"), Str(reply, "description"));
    }
}
