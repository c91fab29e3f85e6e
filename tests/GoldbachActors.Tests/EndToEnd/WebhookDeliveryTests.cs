using System.Net;
using System.Text;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>Meta delivers at least once and signs every POST: duplicates are harmless, forgeries store nothing.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class WebhookDeliveryTests(LocalSystem system)
{
    [Fact]
    public async Task Webhook_delivered_twice_and_then_ten_times_at_once_is_recorded_once_and_acknowledged_once()
    {
        const string phone = "+4915112345602";
        var body = LocalSystem.TextWebhook(phone, "Parkverstoß in der Aschaffenburger Straße");

        using (var first = await system.PostWebhookAsync(body))
        using (var second = await system.PostWebhookAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => system.PostWebhookAsync(body)));
        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // A second message in the same conversation: stored, but no second acknowledgement.
        using (var next = await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Es ist ein silberner Kombi.")))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        var conversation = await system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phone) });
        Assert.Equal(2, conversation.Entries.Count(e => e.Inbound is not null));
        await Task.Delay(500);
        var sent = await system.WaitForSentAsync(phone, 1);
        Assert.Single(sent);
    }

    [Fact]
    public async Task Concurrent_first_messages_of_one_citizen_give_one_acknowledgement()
    {
        const string phone = "+4915112345603";
        var bodies = Enumerable.Range(0, 8).Select(i => LocalSystem.TextWebhook(phone, $"Nachricht {i}")).ToList();

        var responses = await Task.WhenAll(bodies.Select(b => system.PostWebhookAsync(b)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var conversation = await system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phone) });
        Assert.Equal(8, conversation.Entries.Count(e => e.Inbound is not null));
        await Task.Delay(500);
        Assert.Single(await system.WaitForSentAsync(phone, 1));
    }

    [Theory]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256=not-hex")]
    [InlineData("md5=abc")]
    [InlineData(null)]
    public async Task Webhook_with_a_wrong_or_missing_signature_is_rejected_and_stores_nothing(string? signature)
    {
        var phone = $"+49151{Random.Shared.Next(10_000_000, 99_999_999)}";
        using var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Gefälscht"), signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingStoredAsync(phone);
    }

    [Fact]
    public async Task Webhook_signed_with_another_secret_is_rejected()
    {
        const string phone = "+4915112345604";
        var body = LocalSystem.TextWebhook(phone, "Gefälscht");
        var forged = new WhatsApp.Webhooks.WebhookSignature("someone-elses-secret").Sign(body);

        using var response = await system.PostWebhookAsync(body, forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingStoredAsync(phone);
    }

    [Theory]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":[")]
    [InlineData("not json at all")]
    [InlineData("{\"object\":\"page\",\"entry\":[]}")]
    [InlineData("[1,2,3]")]
    public async Task Malformed_webhook_is_answered_400(string json)
    {
        using var response = await system.PostWebhookAsync(Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Webhook_body_over_the_limit_is_answered_413_and_stores_nothing()
    {
        const string phone = "+4915112345605";
        var body = LocalSystem.TextWebhook(phone, new string('x', 3_600_000));

        using var response = await system.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingStoredAsync(phone);
    }

    [Fact]
    public async Task Verification_handshake_echoes_the_challenge_only_for_the_right_token()
    {
        using var ok = await system.GetAsync($"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={LocalSystem.VerifyToken}&hub.challenge=1158201444");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("1158201444", await ok.Content.ReadAsStringAsync());

        using var wrongToken = await system.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");
        Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);

        using var wrongMode = await system.GetAsync($"/webhooks/whatsapp?hub.mode=unsubscribe&hub.verify_token={LocalSystem.VerifyToken}&hub.challenge=1");
        Assert.Equal(HttpStatusCode.Forbidden, wrongMode.StatusCode);
    }

    private async Task AssertNothingStoredAsync(string phone)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => system.Staff()
            .GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Empty(system.SentMessages.List(phone));
    }
}
