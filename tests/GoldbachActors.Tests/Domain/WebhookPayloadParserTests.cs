using System.Text;
using GoldbachActors.WhatsApp.Webhooks;

namespace GoldbachActors.Tests.Domain;

public sealed class WebhookPayloadParserTests
{
    private static WebhookPayload Parse(string json) => WebhookPayloadParser.Parse(Encoding.UTF8.GetBytes(json));

    private static WebhookPayload ParseValue(string value) => Parse($$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{{{value}}}}]}]}
        """);

    private static WebhookMessage ParseMessage(string message) => Assert.Single(ParseValue($$$"""
        {"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},
         "contacts":[{"profile":{"name":"Erika"},"wa_id":"4915112345678","user_id":"DE.1349120865530274191"}],
         "messages":[{{{{message}}}}]}
        """).Messages);

    private const string Sender = "\"from\":\"4915112345678\",\"from_user_id\":\"DE.1349120865530274191\",\"id\":\"wamid.A\",\"timestamp\":\"1780000000\"";

    [Fact]
    public void Reads_a_text_message_with_bsuid_phone_profile_and_escaped_emoji()
    {
        var message = ParseMessage($$$"""{{{Sender}}},"type":"text","text":{"body":"Die Schaukel ist kaputt \ud83d\ude2e"}""");

        Assert.Equal("106540352242922", message.PhoneNumberId);
        Assert.Equal("4915112345678", message.Sender.WaId);
        Assert.Equal("DE.1349120865530274191", message.Sender.BusinessScopedUserId);
        Assert.Equal("Erika", message.Message.ProfileName);
        Assert.Equal("+4915112345678", message.Message.PhoneNumber);
        Assert.Equal("wamid.A", message.Message.WhatsAppMessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000), message.Message.SentAt);
        Assert.Equal("Die Schaukel ist kaputt 😮", message.Message.Text);
    }

    [Fact]
    public void Reads_a_forwarded_reply_from_an_ad()
    {
        var message = ParseMessage($$$"""
            {{{Sender}}},"type":"text","text":{"body":"Hallo"},
            "context":{"from":"496021","id":"wamid.original","frequently_forwarded":true},
            "referral":{"source_url":"https://fb.me/x","source_type":"ad","headline":"Kitzrettung","body":"Helfen Sie mit"}
            """).Message;

        Assert.Equal("wamid.original", message.Context!.RepliedToMessageId);
        Assert.True(message.Context.FrequentlyForwarded);
        Assert.False(message.Context.Forwarded);
        Assert.Equal("Kitzrettung", message.Referral!.Headline);
        Assert.Equal("ad", message.Referral.SourceType);
    }

    [Theory]
    [InlineData("image", "\"image\":{\"caption\":\"Schaukel\",\"mime_type\":\"image/jpeg\",\"sha256\":\"abc\",\"id\":\"m1\"}", "Schaukel", false)]
    [InlineData("audio", "\"audio\":{\"mime_type\":\"audio/ogg; codecs=opus\",\"sha256\":\"abc\",\"id\":\"m1\",\"voice\":true}", null, true)]
    [InlineData("video", "\"video\":{\"mime_type\":\"video/mp4\",\"id\":\"m1\"}", null, false)]
    [InlineData("document", "\"document\":{\"caption\":\"Antrag\",\"filename\":\"antrag.pdf\",\"mime_type\":\"application/pdf\",\"id\":\"m1\"}", "Antrag", false)]
    [InlineData("sticker", "\"sticker\":{\"mime_type\":\"image/webp\",\"id\":\"m1\",\"animated\":false}", null, false)]
    public void Reads_media_of_every_kind(string kind, string body, string? caption, bool voice)
    {
        var message = ParseMessage($$$"""{{{Sender}}},"type":"{{{kind}}}",{{{body}}}""").Message;

        Assert.Equal(kind, message.Type);
        Assert.Equal(kind, message.Media!.Kind);
        Assert.Equal("m1", message.Media.MediaId);
        Assert.Equal(caption, message.Media.Caption);
        Assert.Equal(caption, message.Text);
        Assert.Equal(voice, message.Media.Voice);
        Assert.Equal(Contracts.MediaStatus.Pending, message.Media.Status);
    }

    [Fact]
    public void Reads_a_location_with_and_without_name()
    {
        var named = ParseMessage($$$"""{{{Sender}}},"type":"location","location":{"latitude":49.99,"longitude":9.18,"name":"Spielplatz","address":"Ringstraße 1"}""").Message;
        var bare = ParseMessage($$$"""{{{Sender}}},"type":"location","location":{"latitude":"49.99","longitude":"9.18"}""").Message;

        Assert.Equal(49.99, named.Location!.Latitude);
        Assert.Equal("Spielplatz", named.Location.Name);
        Assert.Equal(9.18, bare.Location!.Longitude);
        Assert.Null(bare.Location.Name);
    }

    [Fact]
    public void Reads_shared_contacts()
    {
        var message = ParseMessage($$$"""
            {{{Sender}}},"type":"contacts","contacts":[{"name":{"formatted_name":"Bauhof Goldbach","first_name":"Bauhof"},
              "phones":[{"phone":"+49 6021 500","type":"WORK"}],"emails":[{"email":"bauhof@example.org"}],"org":{"company":"Markt Goldbach"}}]
            """).Message;

        var contact = Assert.Single(message.Contacts);
        Assert.Equal("Bauhof Goldbach", contact.FormattedName);
        Assert.Equal(["+49 6021 500"], contact.PhoneNumbers.ToArray());
        Assert.Equal(["bauhof@example.org"], contact.Emails.ToArray());
        Assert.Equal("Markt Goldbach", contact.Organization);
    }

    [Fact]
    public void Reads_button_list_and_template_replies()
    {
        var button = ParseMessage($$$"""{{{Sender}}},"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"yes","title":"Ja"}}""").Message;
        var list = ParseMessage($$$"""{{{Sender}}},"type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"r2","title":"Grillplatz","description":"Reservierung"}}""").Message;
        var template = ParseMessage($$$"""{{{Sender}}},"type":"button","button":{"payload":"STOP","text":"Abmelden"},"context":{"id":"wamid.t"}""").Message;
        var empty = ParseMessage($$$"""{{{Sender}}},"type":"interactive" """).Message;

        Assert.Equal(("button_reply", "yes", "Ja"), (button.Button!.Kind, button.Button.Id, button.Button.Title));
        Assert.Equal("Reservierung", list.Button!.Description);
        Assert.Equal(("button", "STOP", "Abmelden"), (template.Button!.Kind, template.Button.Id, template.Button.Title));
        Assert.Null(empty.Button);
    }

    [Fact]
    public void A_reaction_and_its_removal_are_different_messages()
    {
        var added = ParseMessage($$$"""{{{Sender}}},"type":"reaction","reaction":{"message_id":"wamid.ours","emoji":"👍"}""").Message;
        var removed = ParseMessage($$$"""{{{Sender}}},"type":"reaction","reaction":{"message_id":"wamid.ours"}""").Message;

        Assert.Equal("👍", added.Reaction!.Emoji);
        Assert.Null(removed.Reaction!.Emoji);
        Assert.NotEqual(added.DeduplicationKey, removed.DeduplicationKey);
        Assert.Equal(added.WhatsAppMessageId, removed.WhatsAppMessageId);
    }

    [Fact]
    public void Reads_system_notices_of_a_changed_number_or_user_id()
    {
        var number = ParseValue("""
            {"metadata":{"phone_number_id":"1"},"messages":[{"from":"16505551234","id":"wamid.s","timestamp":"1739321024","type":"system",
              "system":{"body":"User changed from 16505551234 to 12195555358","wa_id":"12195555358","type":"user_changed_number"}}]}
            """).Messages.Single();
        var userId = ParseValue("""
            {"metadata":{"phone_number_id":"1"},"messages":[{"from_user_id":"US.111","id":"wamid.u","timestamp":"1739321024","type":"system",
              "system":{"body":"User changed","user_id":"US.222","type":"user_changed_user_id"}}]}
            """).Messages.Single();

        Assert.Equal("16505551234", number.Sender.WaId);
        Assert.Equal(("user_changed_number", "12195555358"), (number.Message.System!.Kind, number.Message.System.NewWaId));
        Assert.Equal("US.111", userId.Sender.BusinessScopedUserId);
        Assert.Equal("US.222", userId.Message.System!.NewUserId);
    }

    [Fact]
    public void Unsupported_and_unknown_types_are_kept_as_unsupported()
    {
        var withType = ParseMessage($$$"""{{{Sender}}},"type":"unsupported","errors":[{"code":131051,"title":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}],"unsupported":{"type":"poll_update"}""").Message;
        var old = ParseMessage($$$"""{{{Sender}}},"type":"unsupported","errors":[{"code":131060,"title":"This message is currently unavailable"}]""").Message;
        var future = ParseMessage($$$"""{{{Sender}}},"type":"hologram","hologram":{"id":"x"},"group_id":"g1" """).Message;

        Assert.Equal("poll_update", withType.UnsupportedType);
        Assert.Equal(131051, Assert.Single(withType.Errors).Code);
        Assert.Equal("Message type is currently not supported.", withType.Errors[0].Details);
        Assert.Equal(131060, Assert.Single(old.Errors).Code);
        Assert.Null(old.UnsupportedType);
        Assert.Equal(("unsupported", "hologram", "g1"), (future.Type, future.UnsupportedType, future.GroupId));
    }

    [Fact]
    public void A_username_user_without_phone_number_is_read_by_bsuid()
    {
        var message = Assert.Single(ParseValue("""
            {"metadata":{"phone_number_id":"1"},"contacts":[{"profile":{"name":"E","username":"erika"},"user_id":"DE.99"}],
             "messages":[{"from_user_id":"DE.99","id":"wamid.B","timestamp":"1780000000","type":"text","text":{"body":"Hallo"}}]}
            """).Messages);

        Assert.Null(message.Sender.WaId);
        Assert.Null(message.Message.PhoneNumber);
        Assert.Equal("DE.99", message.Sender.BusinessScopedUserId);
        Assert.Equal("E", message.Message.ProfileName);
    }

    [Fact]
    public void Reads_statuses_with_errors_and_callback_data_beside_messages()
    {
        var payload = ParseValue($$$"""
            {"metadata":{"phone_number_id":"1"},
             "statuses":[{"id":"wamid.out","status":"failed","timestamp":"1780000001","recipient_id":"4915112345678",
               "biz_opaque_callback_data":"1/DE.5","errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message",
               "error_data":{"details":"Message failed to send because more than 24 hours have passed"}}]},
               {"id":"wamid.out","status":"read","timestamp":"1780000002","recipient_user_id":"DE.5"}],
             "messages":[{{{{Sender}}},"type":"text","text":{"body":"x"}}]}
            """);

        Assert.Single(payload.Messages);
        Assert.Equal(2, payload.Statuses.Count);
        var failed = payload.Statuses[0];
        Assert.Equal(("wamid.out", "failed", "1/DE.5"), (failed.Report.WhatsAppMessageId, failed.Report.Status, failed.CallbackData));
        Assert.Equal(131047, Assert.Single(failed.Report.Errors).Code);
        Assert.Equal("DE.5", payload.Statuses[1].Recipient.BusinessScopedUserId);
        Assert.NotEqual(payload.Statuses[0].Report.DeduplicationKey, payload.Statuses[1].Report.DeduplicationKey);
    }

    [Fact]
    public void Other_fields_and_account_errors_are_notifications_by_kind()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"changes":[
              {"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}},
              {"field":"user_preferences","value":{"value":"stop"}},
              {"field":"messages","value":{"metadata":{"phone_number_id":"1"},"errors":[{"code":130429,"title":"Rate limit hit"}]}}]}]}
            """);

        Assert.Empty(payload.Messages);
        Assert.Equal(
            [("account_update", "VERIFIED_ACCOUNT"), ("user_preferences", "stop"), ("errors", "130429")],
            payload.Notifications.Select(n => (n.Field, n.Detail)));
    }

    [Fact]
    public void Odd_items_are_skipped_and_described_without_personal_data_while_the_rest_is_read()
    {
        var payload = ParseValue("""
            {"metadata":{"phone_number_id":"1"},
             "messages":[
               {"from":"4915112345678","id":"wamid.ok","timestamp":"1780000000","type":"text","text":{"body":"geheim"}},
               {"from":"4915112345678","timestamp":"1780000000","type":"text","text":{"body":"geheim"}},
               {"from":"4915112345678","id":"wamid.x","timestamp":"gestern","type":"text"},
               {"from":"4915112345678","id":"wamid.x","timestamp":1780000000,"type":"text"},
               {"id":"wamid.y","timestamp":"1780000000","type":"text"},
               42],
             "statuses":[{"status":"read"},{"id":"wamid.z","status":"read","timestamp":"-1"}]}
            """);

        Assert.Equal("wamid.ok", Assert.Single(payload.Messages).Message.WhatsAppMessageId);
        Assert.Equal(6, payload.SkippedItems.Count);
        Assert.DoesNotContain(payload.SkippedItems, s => s.Contains("4915112345678", StringComparison.Ordinal) || s.Contains("geheim", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("{\"object\":\"page\",\"entry\":[]}")]
    [InlineData("{\"object\":\"whatsapp_business_account\"}")]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":{}}")]
    [InlineData("{\"object\":1,\"entry\":[]}")]
    public void A_body_that_is_not_a_whatsapp_webhook_is_rejected(string json)
    {
        Assert.Throws<MalformedWebhookException>(() => Parse(json));
    }

    [Fact]
    public void Deeply_nested_json_and_invalid_utf8_are_rejected_not_a_crash()
    {
        var json = "{\"object\":\"whatsapp_business_account\",\"entry\":" + new string('[', 500) + new string(']', 500) + "}";
        Assert.Throws<MalformedWebhookException>(() => Parse(json));
        byte[] invalid = [.. Encoding.UTF8.GetBytes("{\"object\":\"whatsapp_business_account\",\"entry\":[\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"]}")];
        Assert.Throws<MalformedWebhookException>(() => WebhookPayloadParser.Parse(invalid));
    }

    [Fact]
    public void Reads_marketing_preferences_and_skips_odd_items_without_personal_data()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"user_preferences","value":{
              "messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},
              "contacts":[{"profile":{"name":"Erika"},"wa_id":"4915112345678"}],
              "user_preferences":[
                {"wa_id":"4915112345678","detail":"User requested to stop marketing messages","category":"marketing_messages","value":"stop","timestamp":1780000000},
                {"wa_id":"4915112345679","category":"marketing_messages","value":"resume","timestamp":"1780000100"},
                {"wa_id":"4915112345670","category":"marketing_messages","value":"maybe","timestamp":1780000000},
                {"category":"marketing_messages","value":"stop","timestamp":1780000000}]}}]}]}
            """);
        Assert.Equal(2, payload.Preferences.Count);
        Assert.Equal(("106540352242922", "4915112345678", true, DateTimeOffset.FromUnixTimeSeconds(1_780_000_000)),
            (payload.Preferences[0].PhoneNumberId, payload.Preferences[0].User.WaId, payload.Preferences[0].Stopped, payload.Preferences[0].At));
        Assert.False(payload.Preferences[1].Stopped);
        Assert.Equal(2, payload.SkippedItems.Count);
        Assert.All(payload.SkippedItems, item => Assert.DoesNotContain("491511234567", item, StringComparison.Ordinal));
        Assert.Contains(payload.Notifications, n => n.Field == "user_preferences");
    }

    [Fact]
    public void Reads_an_edit_and_a_revoke_as_Meta_documents_them_for_Coexistence_numbers()
    {
        var edit = ParseMessage($$$$"""
            {{{{Sender}}}},"type":"edit","edit":{"original_message_id":"wamid.original","message":{"type":"text","text":{"body":"Die Bank ist beschmiert"}}}
            """).Message;
        var caption = ParseMessage($$$$"""
            {{{{Sender}}}},"type":"edit","edit":{"original_message_id":"wamid.photo","message":{"type":"image","image":{"caption":"Neue Bildunterschrift","id":"m1"}}}
            """).Message;
        var revoke = ParseMessage($$$"""{{{Sender}}},"type":"revoke","revoke":{"original_message_id":"wamid.original"}""").Message;
        var broken = ParseMessage($$$"""{{{Sender}}},"type":"revoke","revoke":{}""").Message;

        Assert.Equal(("edit", "wamid.original", "Die Bank ist beschmiert"), (edit.Type, edit.Edit!.OriginalMessageId, edit.Edit.Text));
        Assert.Equal("wamid.original", edit.TargetMessageId);
        Assert.Equal("Neue Bildunterschrift", caption.Edit!.Text);
        Assert.Equal(("revoke", "wamid.original"), (revoke.Type, revoke.RevokedMessageId));
        Assert.Equal(("unsupported", "revoke"), (broken.Type, broken.UnsupportedType));
    }

    [Fact]
    public void Reads_the_username_from_the_contact_and_keeps_the_reply_context_of_a_reaction_target()
    {
        var message = Assert.Single(ParseValue("""
            {"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},
             "contacts":[{"profile":{"name":"Erika","username":"erika.goldbach"},"user_id":"DE.1349120865530274191"}],
             "messages":[{"from_user_id":"DE.1349120865530274191","id":"wamid.U","timestamp":"1780000000","type":"text","text":{"body":"Hallo"},"context":{"id":"wamid.q"}}]}
            """).Messages).Message;

        Assert.Equal(("erika.goldbach", "Erika", null), (message.Username, message.ProfileName, message.PhoneNumber));
        Assert.Equal("wamid.q", message.TargetMessageId);
    }

    [Fact]
    public void Reads_business_app_echoes_as_the_towns_messages_to_their_recipient()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"smb_message_echoes","value":{
              "messaging_product":"whatsapp","metadata":{"display_phone_number":"4960215000","phone_number_id":"106540352242922"},
              "message_echoes":[
                {"from":"4960215000","to":"4915112345678","id":"wamid.E1","timestamp":"1780000000","type":"text","text":{"body":"Wir kümmern uns."}},
                {"from":"4960215000","to":"4915112345678","id":"wamid.E2","timestamp":"1780000060","type":"revoke","revoke":{"original_message_id":"wamid.E1"}},
                {"from":"4960215000","id":"wamid.E3","timestamp":"1780000060","type":"text","text":{"body":"an niemanden"}}]}}]}]}
            """);

        Assert.Empty(payload.Messages);
        Assert.Equal(["wamid.E1", "wamid.E2"], payload.Echoes.Select(e => e.Message.WhatsAppMessageId));
        Assert.Equal("4915112345678", payload.Echoes[0].Sender.WaId);
        Assert.Equal("Wir kümmern uns.", payload.Echoes[0].Message.Text);
        Assert.Equal("wamid.E1", payload.Echoes[1].Message.RevokedMessageId);
        Assert.Contains(payload.SkippedItems, s => s.Contains("message_echoes[2]: no recipient", StringComparison.Ordinal));
    }

    [Fact]
    public void Counts_a_history_sync_by_phase_and_progress_without_reading_its_messages()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"history","value":{
              "messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},
              "history":[{"metadata":{"phase":1,"chunk_order":3,"progress":55},"threads":[
                {"id":"4915112345678","messages":[{"from":"4915112345678","id":"wamid.H1","timestamp":"1770000000","type":"text","text":{"body":"Alt"}},
                                                  {"from":"4915112345678","id":"wamid.H2","timestamp":"1770000001","type":"text","text":{"body":"Älter"}}]}]}]}}]}]}
            """);

        Assert.Empty(payload.Messages);
        var notice = Assert.Single(payload.Notifications);
        Assert.Equal(("history", "phase 1, chunk 3, progress 55, 2 messages"), (notice.Field, notice.Detail));
    }
}
