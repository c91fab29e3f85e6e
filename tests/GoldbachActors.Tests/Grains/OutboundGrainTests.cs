using GoldbachActors.Contracts;
using GoldbachActors.Tests.Infrastructure;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Tests.Grains;

/// <summary>The outbox on a real (in-process) cluster: the 24-hour window, Meta's throttling, ambiguous sends, pacing.</summary>
public sealed class OutboundGrainTests : IClassFixture<GrainTestCluster>
{
    private readonly GrainTestCluster _cluster;

    public OutboundGrainTests(GrainTestCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task A_reply_after_the_window_closed_goes_out_as_the_template_and_the_text_follows_the_citizens_answer()
    {
        const string phone = "+4915100000301";
        var citizen = _cluster.Citizen("DE.window1");
        var now = _cluster.Clock.GetUtcNow();
        // Friday evening's message, answered on Monday: more than 24 hours later.
        await citizen.ReceiveAsync(_cluster.Text("Am Grillplatz liegt Glas", now.AddHours(-60), phone: phone));

        var reply = await citizen.ReplyAsync(new StaffReply("w1", "Danke, der Bauhof räumt es heute weg.", StaffActor.Agent("staff-01")));

        Assert.Equal(DeliveryState.WaitingForWindow, reply.State);
        var waiting = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound.Any(o => o.Kind == OutboundKind.WindowTemplate && o.State == DeliveryState.Sent));
        // Closed 36 hours ago: 24 hours after Friday's message.
        Assert.Equal(now.AddHours(-36), waiting!.Summary.WindowClosesAt);
        Assert.Equal(["[template bitte_melden/de: Markt Goldbach]"], _cluster.Sender.TextsTo(phone));
        var missedAck = waiting.Outbound.Single(o => o.Kind == OutboundKind.Acknowledgement);
        Assert.Equal((DeliveryState.Failed, 131047), (missedAck.State, missedAck.FailureCode));

        await citizen.ReceiveAsync(_cluster.Text("Ja?", now, phone: phone));

        await Eventually.Until(() => Task.FromResult(_cluster.Sender.TextsTo(phone)), t => t.Count == 2);
        Assert.Equal(["[template bitte_melden/de: Markt Goldbach]", "Danke, der Bauhof räumt es heute weg."], _cluster.Sender.TextsTo(phone));
        var open = (await citizen.GetConversationAsync())!;
        Assert.Equal(now.AddHours(24), open.Summary.WindowClosesAt);
    }

    [Fact]
    public async Task Too_many_messages_to_one_citizen_backs_off_for_that_citizen_only_and_then_sends()
    {
        const string phone = "+4915100000302";
        var citizen = _cluster.Citizen("DE.throttled1");
        _cluster.Sender.FailNext(phone, new WhatsAppApiException("too many", 400, MetaErrorCodes.RecipientThrottled, "Spam rate limit hit", isTransient: true));

        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: phone));
        var throttled = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].FailedAttempts == 1);
        Assert.Equal((DeliveryState.Queued, 131056), (throttled!.Outbound[0].State, throttled.Outbound[0].FailureCode));

        // Another citizen is not held up meanwhile.
        await _cluster.Citizen("DE.unthrottled1").ReceiveAsync(_cluster.Text("Hallo", phone: "+4915100000303"));
        await Eventually.Until(() => Task.FromResult(_cluster.Sender.TextsTo("+4915100000303")), t => t.Count == 1, TimeSpan.FromSeconds(3));
        Assert.Single(_cluster.Sender.TextsTo("+4915100000303"));
        Assert.Empty(_cluster.Sender.TextsTo(phone));

        // 4^1 seconds later it goes out.
        var sent = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent, TimeSpan.FromSeconds(15));
        Assert.Equal(DeliveryState.Sent, sent!.Outbound[0].State);
        Assert.Single(_cluster.Sender.TextsTo(phone));
    }

    [Fact]
    public async Task A_send_that_timed_out_but_arrived_is_recognised_by_its_status_webhook_and_never_sent_again()
    {
        const string phone = "+4915100000304";
        var citizen = _cluster.Citizen("DE.ambiguous1");
        _cluster.Sender.AcceptThenTimeOutNext(phone);

        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: phone));
        var sending = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].FailedAttempts == 1);
        Assert.Equal(DeliveryState.Sending, sending!.Outbound[0].State);
        var delivered = _cluster.Sender.Sent.Single(s => s.Recipient.PhoneNumber == phone);

        // WhatsApp's status webhook carries the callback data the town attached: citizen and outbound id.
        var callback = _cluster.Sender.CallbackData.Single(c => c is not null && c.StartsWith(GrainTestCluster.Tenant + "/DE.ambiguous1#", StringComparison.Ordinal));
        Assert.True(OutboundReference.TryParse(callback, out _, out var outboundId));
        var outcome = await citizen.ReportDeliveryAsync(new DeliveryReport(delivered.Wamid, "delivered", DateTimeOffset.UtcNow, []) { OutboundId = outboundId });

        Assert.Equal(ReceiveOutcome.Recorded, outcome);
        await Task.Delay(GrainTestCluster.AmbiguousSendGrace + TimeSpan.FromSeconds(1));
        var conversation = (await citizen.GetConversationAsync())!;
        Assert.Equal((DeliveryState.Delivered, delivered.Wamid), (conversation.Outbound[0].State, conversation.Outbound[0].WhatsAppMessageId));
        Assert.Single(_cluster.Sender.TextsTo(phone));
    }

    [Fact]
    public async Task A_send_that_timed_out_with_no_word_from_WhatsApp_is_sent_again_after_the_grace_period()
    {
        const string phone = "+4915100000305";
        var citizen = _cluster.Citizen("DE.ambiguous2");
        _cluster.Sender.FailNext(phone, new WhatsAppApiException("timeout", null, null, null, isTransient: true, isAmbiguous: true));

        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: phone));

        var sent = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent, TimeSpan.FromSeconds(15));
        Assert.Equal(DeliveryState.Sent, sent!.Outbound[0].State);
        Assert.Single(_cluster.Sender.TextsTo(phone));
    }

    [Fact]
    public async Task A_token_or_permission_error_fails_the_message_with_the_reason()
    {
        const string phone = "+4915100000306";
        var citizen = _cluster.Citizen("DE.permission1");
        _cluster.Sender.FailNext(phone, new WhatsAppApiException("token", 401, 190, "Error validating access token", isTransient: false));

        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: phone));

        var failed = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Failed);
        Assert.Equal(190, failed!.Outbound[0].FailureCode);
        Assert.Contains("190", failed.Outbound[0].FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_business_numbers_rate_is_one_slot_per_interval_across_all_callers_and_half_that_just_after_activation()
    {
        var throughput = _cluster.Client.GetGrain<IThroughputGrain>(GrainTestCluster.Tenant + "0");
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => throughput.ReserveAsync(TimeSpan.FromSeconds(1)));

        // A fresh activation, as after a silo died (earlier tests here may have activated it).
        var tenant = _cluster.Client.GetGrain<IThroughputGrain>(GrainTestCluster.Tenant);
        await tenant.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        var grants = new List<(DateTimeOffset Slot, ThroughputGrant Grant)>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            var grant = await tenant.ReserveAsync(TimeSpan.FromSeconds(3));
            grants.Add((DateTimeOffset.UtcNow + grant.Delay, grant));
        }

        // 50 per second (4 % under it): slots 20.8 ms apart, 41.6 ms in the activation's first 2 s, at most 3 s
        // ahead; the rest are told when to ask again.
        var slots = grants.Where(g => g.Grant.Granted).Select(g => g.Slot).ToList();
        Assert.InRange(slots.Count, 48 + 48 - 2, 48 + 48 + 2 + (int)(started.Elapsed.TotalMilliseconds / 20.8));
        var first = slots[0];
        // Seen from here (after a grain call) within a few ms of the grain's spacing.
        Assert.InRange(slots.Count(t => t < first + TimeSpan.FromMilliseconds(970)), 23, 25);
        foreach (var start in slots)
        {
            var inOneSecond = slots.Count(t => t >= start && t < start + TimeSpan.FromMilliseconds(970));
            Assert.True(inOneSecond <= 50, $"{inOneSecond} slots within one second");
        }
        Assert.InRange(slots.Count(t => t >= first + TimeSpan.FromSeconds(2.05) && t < first + TimeSpan.FromSeconds(2.95)), 42, 45);
        Assert.All(grants.Where(g => !g.Grant.Granted), g => Assert.True(g.Grant.Delay > TimeSpan.Zero));
    }
}

/// <summary>The outbox gives up on a send that keeps failing (its own cluster: the test moves the town's clock a day on).</summary>
public sealed class OutboxGiveUpGrainTests(GrainTestCluster cluster) : IClassFixture<GrainTestCluster>
{
    private readonly GrainTestCluster _cluster = cluster;

    [Fact]
    public async Task A_send_that_keeps_failing_transiently_gives_up_after_a_day_with_the_reason()
    {
        const string phone = "+4915100000307";
        var citizen = _cluster.Citizen("DE.giveup1");
        var unavailable = new WhatsAppApiException("down", 503, 2, "Service temporarily unavailable", isTransient: true);
        _cluster.Sender.FailNext(phone, unavailable, unavailable);

        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: phone));
        var queued = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].FailedAttempts == 1);
        Assert.Equal(DeliveryState.Queued, queued!.Outbound[0].State);
        // A day later the next attempt fails too: the message is given up, visibly, instead of retried for ever.
        // (The citizen writes again meanwhile, so the 24-hour window is open and only the failures count.)
        _cluster.Clock.MoveTo(_cluster.Clock.GetUtcNow().AddHours(25));
        await citizen.ReceiveAsync(_cluster.Text("Hallo? Ist da jemand?", phone: phone));
        var failed = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Failed, TimeSpan.FromSeconds(20));
        Assert.Equal((DeliveryState.Failed, 2, 2), (failed!.Outbound[0].State, failed.Outbound[0].FailedAttempts, failed.Outbound[0].FailureCode));
        Assert.StartsWith("Nach 2 Versuchen aufgegeben", failed.Outbound[0].FailureReason, StringComparison.Ordinal);
    }
}
