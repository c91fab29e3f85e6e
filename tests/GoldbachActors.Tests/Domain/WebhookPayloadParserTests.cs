using System.Text;
using GoldbachActors.WhatsApp.Webhooks;

namespace GoldbachActors.Tests.Domain;

public sealed class WebhookPayloadParserTests
{
    private static WebhookPayload Parse(string json) => WebhookPayloadParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_a_text_message_with_bsuid_phone_and_profile()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
              "messaging_product":"whatsapp","metadata":{"display_phone_number":"496021","phone_number_id":"106540352242922"},
              "contacts":[{"profile":{"name":"Erika"},"wa_id":"4915112345678","user_id":"DE.1349120865530274191"}],
              "messages":[{"from":"4915112345678","from_user_id":"DE.1349120865530274191","id":"wamid.A","timestamp":"1780000000",
                           "type":"text","text":{"body":"Die Schaukel ist kaputt \ud83d\ude2e"}}]}}]}]}
            """);

        var message = Assert.Single(payload.Messages);
        Assert.Equal("106540352242922", message.PhoneNumberId);
        Assert.Equal("4915112345678", message.WaId);
        Assert.Equal("DE.1349120865530274191", message.BusinessScopedUserId);
        Assert.Equal("Erika", message.ProfileName);
        Assert.Equal("wamid.A", message.WhatsAppMessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000), message.Timestamp);
        Assert.Equal("Die Schaukel ist kaputt 😮", message.Text);
        Assert.Empty(payload.SkippedItems);
    }

    [Fact]
    public void A_username_user_without_phone_number_is_read_by_bsuid()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"1"},
              "contacts":[{"profile":{"name":"E","username":"erika"},"user_id":"DE.99"}],
              "messages":[{"from_user_id":"DE.99","id":"wamid.B","timestamp":"1780000000","type":"image","image":{"id":"m1"}}]}}]}]}
            """);

        var message = Assert.Single(payload.Messages);
        Assert.Null(message.WaId);
        Assert.Equal("DE.99", message.BusinessScopedUserId);
        Assert.Equal("image", message.Type);
        Assert.Null(message.Text);
    }

    [Fact]
    public void Odd_items_are_skipped_and_described_without_personal_data_while_the_rest_is_read()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"1"},
              "messages":[
                {"from":"4915112345678","id":"wamid.ok","timestamp":"1780000000","type":"text","text":{"body":"geheim"}},
                {"from":"4915112345678","timestamp":"1780000000","type":"text","text":{"body":"geheim"}},
                {"from":"4915112345678","id":"wamid.x","timestamp":"gestern","type":"text"},
                {"id":"wamid.y","timestamp":"1780000000","type":"text"},
                42]}}]}, "not an entry"]}
            """);

        Assert.Equal("wamid.ok", Assert.Single(payload.Messages).WhatsAppMessageId);
        Assert.Equal(5, payload.SkippedItems.Count);
        Assert.DoesNotContain(payload.SkippedItems, s => s.Contains("4915112345678", StringComparison.Ordinal) || s.Contains("geheim", StringComparison.Ordinal));
    }

    [Fact]
    public void Status_only_and_other_fields_yield_no_messages()
    {
        var payload = Parse("""
            {"object":"whatsapp_business_account","entry":[{"changes":[
              {"field":"messages","value":{"metadata":{"phone_number_id":"1"},"statuses":[{"id":"wamid.s","status":"read"}]}},
              {"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}}]}]}
            """);

        Assert.Empty(payload.Messages);
        Assert.Empty(payload.SkippedItems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("{\"object\":\"page\",\"entry\":[]}")]
    [InlineData("{\"object\":\"whatsapp_business_account\"}")]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":{}}")]
    public void A_body_that_is_not_a_whatsapp_webhook_is_rejected(string json)
    {
        Assert.Throws<MalformedWebhookException>(() => Parse(json));
    }

    [Fact]
    public void Deeply_nested_json_is_rejected_not_a_crash()
    {
        var json = "{\"object\":\"whatsapp_business_account\",\"entry\":" + new string('[', 500) + new string(']', 500) + "}";
        Assert.Throws<MalformedWebhookException>(() => Parse(json));
    }
}
