using GoldbachActors.Contracts;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Tests.Grains;

public sealed class CitizenGrainTests : IClassFixture<GrainTestCluster>
{
    private readonly GrainTestCluster _cluster;

    public CitizenGrainTests(GrainTestCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Ten_concurrent_copies_of_a_message_are_recorded_once_and_acknowledged_once()
    {
        var citizen = _cluster.Citizen("DE.concurrent1");
        var message = _cluster.Text("Lärm vom Festplatz", phone: "+4915100000001");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => citizen.ReceiveAsync(message)));

        Assert.Equal(1, outcomes.Count(o => o == ReceiveOutcome.Recorded));
        Assert.Equal(9, outcomes.Count(o => o == ReceiveOutcome.Duplicate));
        var conversation = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound.All(o => o.State == DeliveryState.Sent));
        Assert.Single(conversation!.Inbound);
        var ack = Assert.Single(conversation.Outbound);
        Assert.Equal(OutboundKind.Acknowledgement, ack.Kind);
        Assert.Equal([GrainTestCluster.AcknowledgementText], _cluster.Sender.TextsTo("+4915100000001"));
    }

    [Fact]
    public async Task Messages_are_ordered_by_timestamp_with_arrival_order_breaking_ties()
    {
        var citizen = _cluster.Citizen("DE.ordering1");
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

        await citizen.ReceiveAsync(_cluster.Text("zweite", t0.AddSeconds(5)));
        await citizen.ReceiveAsync(_cluster.Text("erste", t0));
        await citizen.ReceiveAsync(_cluster.Text("dritte a", t0.AddSeconds(9)));
        await citizen.ReceiveAsync(_cluster.Text("dritte b", t0.AddSeconds(9)));

        var conversation = await citizen.GetConversationAsync();
        Assert.Equal(["erste", "zweite", "dritte a", "dritte b"], conversation!.Inbound.Select(m => m.Text));
    }

    [Fact]
    public async Task A_transient_send_failure_is_retried_and_then_sent()
    {
        var citizen = _cluster.Citizen("DE.transient1");
        _cluster.Sender.FailNext("+4915100000002", new WhatsAppApiException("down", 503, 131000, "Something went wrong", isTransient: true));

        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: "+4915100000002"));

        var failedOnce = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].FailedAttempts == 1);
        Assert.Equal(DeliveryState.Queued, failedOnce!.Outbound[0].State);
        Assert.Contains("131000", failedOnce.Outbound[0].FailureReason, StringComparison.Ordinal);

        var sent = await Eventually.Until(
            citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent, TimeSpan.FromSeconds(15));
        Assert.Equal(DeliveryState.Sent, sent!.Outbound[0].State);
        Assert.Single(_cluster.Sender.TextsTo("+4915100000002"));
    }

    [Fact]
    public async Task A_permanent_send_failure_is_marked_failed_with_the_reason_and_later_messages_still_go_out()
    {
        var citizen = _cluster.Citizen("DE.permanent1");
        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: "+4915100000003"));
        await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent);
        _cluster.Sender.FailNext("+4915100000003", new WhatsAppApiException("closed", 400, 131047, "Re-engagement message", isTransient: false));

        var reply = await citizen.ReplyAsync(new StaffReply("r1", "Erste Antwort", StaffActor.Agent("staff-01")));
        var second = await citizen.ReplyAsync(new StaffReply("r2", "Zweite Antwort", StaffActor.Agent("staff-01")));

        var conversation = await Eventually.Until(
            citizen.GetConversationAsync, c => c!.Outbound.Single(o => o.Id == second.Id).State == DeliveryState.Sent);
        var failed = conversation!.Outbound.Single(o => o.Id == reply.Id);
        Assert.Equal(DeliveryState.Failed, failed.State);
        Assert.Equal(131047, failed.FailureCode);
        Assert.StartsWith("WhatsApp-Fehler 131047: Mehr als 24 Stunden", failed.FailureReason, StringComparison.Ordinal);
        Assert.EndsWith("(Re-engagement message)", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal([GrainTestCluster.AcknowledgementText, "Zweite Antwort"], _cluster.Sender.TextsTo("+4915100000003"));
    }

    [Fact]
    public async Task Reply_records_the_staff_member_internally_and_is_idempotent_by_request_id()
    {
        var citizen = _cluster.Citizen("DE.reply1");
        await citizen.ReceiveAsync(_cluster.Text("Frage", phone: "+4915100000004"));

        var first = await citizen.ReplyAsync(new StaffReply("same-id", "Antwort", StaffActor.Agent("staff-42")));
        var retry = await citizen.ReplyAsync(new StaffReply("same-id", "Antwort", StaffActor.Agent("staff-42")));

        Assert.Equal(first.Id, retry.Id);
        Assert.Equal("staff-42", first.SentBy);
        var conversation = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound.All(o => o.State == DeliveryState.Sent));
        Assert.Equal(2, conversation!.Outbound.Length);
        Assert.Equal(ConversationStatus.WaitingForCitizen, conversation.Summary.Status);
        Assert.Equal(["Frage"], conversation.Inbound.Select(m => m.Text));
        Assert.DoesNotContain(_cluster.Sender.Sent, s => s.Text.Contains("staff-42", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reply_to_a_citizen_who_never_wrote_is_refused()
    {
        var citizen = _cluster.Citizen("DE.nobody1");
        await Assert.ThrowsAsync<KeyNotFoundException>(() => citizen.ReplyAsync(new StaffReply("x", "Hallo", StaffActor.Agent("staff-01"))));
        Assert.Null(await citizen.GetConversationAsync());
    }

    [Fact]
    public async Task A_citizen_without_a_phone_number_is_answered_by_business_scoped_user_id()
    {
        var citizen = _cluster.Citizen("DE.usernameonly1");
        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: null));

        await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent);
        var sent = Assert.Single(_cluster.Sender.Sent, s => s.Recipient.BusinessScopedUserId == "DE.usernameonly1");
        Assert.Null(sent.Recipient.PhoneNumber);
    }

    [Fact]
    public async Task Message_to_an_unconfigured_tenant_is_refused_with_a_clear_error()
    {
        var citizen = _cluster.Client.GetGrain<ICitizenGrain>(CitizenKey.Create("999", "DE.x1").GrainKey);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => citizen.ReceiveAsync(_cluster.Text("Hallo")));
        Assert.Contains("Goldbach:Tenants", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbox_lists_the_newest_summary_of_each_conversation()
    {
        var early = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        await _cluster.Citizen("DE.inboxA").ReceiveAsync(_cluster.Text("A1", early));
        await _cluster.Citizen("DE.inboxB").ReceiveAsync(_cluster.Text("B1", early.AddMinutes(1)));
        await _cluster.Citizen("DE.inboxA").ReceiveAsync(_cluster.Text("A2", early.AddMinutes(2)));

        var page = await _cluster.Client.GetGrain<ITenantInboxGrain>(GrainTestCluster.Tenant).ListAsync(1000, null);
        var mine = page.Conversations.Where(s => s.CitizenKey.Contains("/DE.inbox", StringComparison.Ordinal)).ToList();

        Assert.Equal([$"{GrainTestCluster.Tenant}/DE.inboxA", $"{GrainTestCluster.Tenant}/DE.inboxB"], mine.Select(s => s.CitizenKey));
        Assert.Equal("A2", mine[0].LastMessagePreview);
    }
}
