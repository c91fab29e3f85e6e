using System.Net;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>One citizen message end to end: signed webhook → storage → acknowledgement → staff → reply.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class CitizenMessageLoopTests(LocalSystem system)
{
    [Fact]
    public async Task Signed_webhook_is_stored_acknowledged_once_listed_and_answered()
    {
        const string phone = "+4915112345601";
        var text = "Die Schaukel am Spielplatz in der Ringstraße ist kaputt";

        using var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, text));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var acknowledgements = await system.WaitForSentAsync(phone, 1);
        var ack = Assert.Single(acknowledgements);
        Assert.Equal(LocalSystem.AcknowledgementText, ack.Text);

        var staff = system.Staff("staff-07");
        var inbox = await staff.ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}", PageSize = 500, Query = phone });
        var summary = Assert.Single(inbox.Conversations, c => c.Name == LocalSystem.ConversationName(phone));
        Assert.Equal(phone, summary.PhoneNumber);
        Assert.Equal("Erika Mustermann", summary.DisplayName);
        Assert.Equal(text, summary.LastMessagePreview);
        Assert.Equal(ConversationStatus.New, summary.Status);

        var reply = await staff.ReplyAsync(new ReplyRequest
        {
            Conversation = summary.Name,
            Text = "Danke, wir schicken morgen den Bauhof vorbei.",
            RequestId = "reply-1",
        });
        Assert.Equal(OutboundKind.StaffReply, reply.Kind);

        var sent = await system.WaitForSentAsync(phone, 2);
        Assert.Equal(2, sent.Count);
        Assert.Equal("Danke, wir schicken morgen den Bauhof vorbei.", sent[1].Text);
        // The citizen sees the administration, never the staff member.
        Assert.DoesNotContain("staff-07", sent[1].Body.ToJsonString(), StringComparison.Ordinal);

        var conversation = await Eventually.Until(
            () => staff.GetConversationAsync(new GetConversationRequest { Name = summary.Name }).ResponseAsync,
            c => c.Entries.Count(e => e.Outbound?.State == DeliveryState.Sent) == 2);
        Assert.Equal(ConversationStatus.WaitingForCitizen, conversation.Summary.Status);
        Assert.Equal(text, conversation.Entries[0].Inbound.Text);
        var staffReply = conversation.Entries.Single(e => e.Outbound?.Kind == OutboundKind.StaffReply).Outbound;
        Assert.Equal("staff-07", staffReply.SentBy);
        Assert.Equal(sent[1].Id, staffReply.WhatsappMessageId);
    }
}
