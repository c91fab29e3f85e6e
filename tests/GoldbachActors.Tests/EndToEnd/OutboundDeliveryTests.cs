using System.Net;
using System.Net.Http.Json;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Tests.Infrastructure;
using GoldbachActors.WhatsAppSimulator;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// Outbound delivery end to end (gateway, silo, Azurite, the stand-in over real sockets) while the Graph API
/// misbehaves: errors, timeouts, an outage, a silo crash, the 24-hour window.
/// </summary>
public sealed class OutboundDeliveryTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:WindowTemplate:Name=bitte_melden");
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:WindowTemplate:BodyParameters:0=Markt Goldbach");
        await _system.InitializeAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    private static string Phone(int series, int i) => $"+49151{series:D2}{i:D6}";

    private async Task WriteAsync(string phone, string text, DateTimeOffset? at = null)
    {
        using var response = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, text, at: at), waitUntilRecorded: false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<Conversation> ConversationAsync(string phone) =>
        await _system.Staff().GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) });

    private static bool Accepted(OutboundMessage m) => m.State is DeliveryState.Sent or DeliveryState.Delivered or DeliveryState.Read;

    private async Task<bool> AllAcceptedAsync(IEnumerable<string> phones, int perCitizen)
    {
        foreach (var phone in phones)
        {
            var outbound = (await ConversationAsync(phone)).Entries.Where(e => e.Outbound is not null).Select(e => e.Outbound).ToList();
            if (outbound.Count != perCitizen || !outbound.All(Accepted))
            {
                return false;
            }
        }
        return true;
    }

    [Fact]
    public async Task With_30_percent_errors_and_some_timeouts_every_message_reaches_the_citizen_exactly_once()
    {
        _system.Meta.StatusWebhooks = true;
        _system.Meta.Faults = new FaultPlan { ErrorShare = 0.3, TimeoutShare = 0.05, TimeoutDelay = TimeSpan.FromSeconds(3) };
        var phones = Enumerable.Range(0, 30).Select(i => Phone(1, i)).ToList();

        foreach (var phone in phones)
        {
            await WriteAsync(phone, "Die Bank am Weiher ist kaputt");
        }
        await _system.WaitUntilRecordedAsync();
        foreach (var phone in phones)
        {
            await _system.Staff().ReplyAsync(new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = $"Danke, wir reparieren sie. ({phone[^3..]})", RequestId = "r-" + phone });
        }

        var done = await Eventually.Until(() => AllAcceptedAsync(phones, 2), ok => ok, TimeSpan.FromSeconds(90));
        Assert.True(done, "not every message was accepted within 90 s");
        Assert.True(_system.Meta.Refusals.Values.Sum() > 5, "the faults were injected");
        foreach (var phone in phones)
        {
            var received = _system.SentMessages.List(phone).Select(m => m.Text).ToList();
            Assert.Equal([LocalSystem.AcknowledgementText, $"Danke, wir reparieren sie. ({phone[^3..]})"], received);
        }
    }

    [Fact]
    public async Task A_send_answered_500_after_Meta_accepted_it_reaches_the_citizen_exactly_once()
    {
        // Every send is taken (the citizen gets it, statuses follow) and then answered 500: a 500 does not prove that
        // nothing was sent, so it must be neither retried at once nor resent while its status webhook can match it.
        _system.Meta.StatusWebhooks = true;
        _system.Meta.Faults = new FaultPlan { AcceptedErrorShare = 1 };
        var phones = Enumerable.Range(0, 3).Select(i => Phone(3, i)).ToList();
        foreach (var phone in phones)
        {
            await WriteAsync(phone, "Ist das Rathaus am Freitag geöffnet?");
        }

        var done = await Eventually.Until(() => AllAcceptedAsync(phones, 1), ok => ok, TimeSpan.FromSeconds(30));
        Assert.True(done, "the acknowledgements were not matched to their status webhooks");
        // Past the ambiguous-send grace (5 s here): a resend would have happened by now.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal(phones.Count, _system.Meta.Refusals.GetValueOrDefault(131000));
        foreach (var phone in phones)
        {
            Assert.Equal([LocalSystem.AcknowledgementText], _system.SentMessages.List(phone).Select(m => m.Text));
        }
    }

    [Fact]
    public async Task A_flood_of_long_messages_during_an_outage_is_recorded_and_the_state_stays_writable()
    {
        // Meta is down (the circuit opens): the acknowledgement waits in the outbox, while the citizen sends 200
        // messages of 4,096 Cyrillic characters (8 KB each). History pages must be archived past the waiting
        // acknowledgement, or the state outgrows Azure Table's entity limit and can never be written again.
        const string phone = "+4915112399001";
        _system.Meta.Faults = new FaultPlan { OutageSeconds = 45 };
        var text = string.Concat(Enumerable.Repeat("Щ", 4092));
        var first = DateTimeOffset.UtcNow.AddSeconds(5);
        for (var i = 0; i < 200; i++)
        {
            // One a second, as a flood would come: every message after the first is newer than the waiting
            // acknowledgement (queued when the first was recorded).
            using var response = await _system.PostWebhookAsync(
                LocalSystem.TextWebhook(phone, $"{i:D3} {text}"[..4096], at: i == 0 ? DateTimeOffset.UtcNow.AddSeconds(-1) : first.AddSeconds(i)), waitUntilRecorded: i == 0);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await _system.WaitUntilRecordedAsync();

        // All 200 are recorded (hot state and archived pages), and nothing went out yet.
        var inbound = await Eventually.Until(() => InboundCountAsync(phone), n => n == 200, TimeSpan.FromSeconds(60));
        Assert.Equal(200, inbound);
        Assert.Empty(_system.SentMessages.List(phone));

        // Once Meta is back the acknowledgement goes out, once.
        var sent = await _system.WaitForSentAsync(phone, 1, TimeSpan.FromSeconds(120));
        Assert.Equal([LocalSystem.AcknowledgementText], sent.Select(m => m.Text));
        await _system.Staff().ReplyAsync(new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = "Wir haben alles erhalten.", RequestId = "flood-1" });
        Assert.Equal(2, (await _system.WaitForSentAsync(phone, 2, TimeSpan.FromSeconds(30))).Count);
    }

    private async Task<int> InboundCountAsync(string phone)
    {
        var count = 0;
        var request = new GetConversationRequest { Name = LocalSystem.ConversationName(phone) };
        do
        {
            var page = await _system.Staff().GetConversationAsync(request);
            count += page.Entries.Count(e => e.Inbound is not null);
            request.PageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(request.PageToken));
        return count;
    }

    [Fact]
    public async Task During_a_one_minute_outage_messages_wait_and_then_go_out_in_order_for_each_citizen()
    {
        var phones = Enumerable.Range(0, 8).Select(i => Phone(2, i)).ToList();
        _system.Meta.Faults = new FaultPlan { OutageSeconds = 60 };

        foreach (var phone in phones)
        {
            await WriteAsync(phone, "Wann ist der Wertstoffhof offen?");
        }
        await _system.WaitUntilRecordedAsync();
        foreach (var phone in phones)
        {
            await _system.Staff().ReplyAsync(new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = "Freitag 14 bis 18 Uhr.", RequestId = "o-" + phone });
        }
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(_system.SentMessages.List(null), m => phones.Contains(m.To!));
        var waiting = await ConversationAsync(phones[0]);
        Assert.All(waiting.Entries.Where(e => e.Outbound is not null), e => Assert.Equal(DeliveryState.Queued, e.Outbound.State));

        var done = await Eventually.Until(() => AllAcceptedAsync(phones, 2), ok => ok, TimeSpan.FromSeconds(150));

        Assert.True(done, "not everything went out after the outage");
        Assert.True(_system.Meta.Refusals.GetValueOrDefault(2) > 0);
        foreach (var phone in phones)
        {
            Assert.Equal([LocalSystem.AcknowledgementText, "Freitag 14 bis 18 Uhr."], _system.SentMessages.List(phone).Select(m => m.Text));
        }
    }

    [Fact]
    public async Task After_a_silo_crash_the_outbox_is_sent_and_nothing_with_a_wamid_is_sent_again()
    {
        var sentBefore = Enumerable.Range(0, 4).Select(i => Phone(3, i)).ToList();
        var queuedAtCrash = Enumerable.Range(10, 4).Select(i => Phone(3, i)).ToList();
        foreach (var phone in sentBefore)
        {
            await WriteAsync(phone, "Hallo");
        }
        await Eventually.Until(() => AllAcceptedAsync(sentBefore, 1), ok => ok, TimeSpan.FromSeconds(30));

        _system.Meta.Faults = new FaultPlan { OutageSeconds = 600 };
        foreach (var phone in queuedAtCrash)
        {
            await WriteAsync(phone, "Hallo");
        }
        await _system.WaitUntilRecordedAsync();
        await _system.CrashSiloAsync();
        _system.Meta.Faults = new FaultPlan();
        await _system.StartSiloAsync();

        // Nothing calls the crashed citizens' grains: their outbox reminder wakes them on the new silo.
        var done = await Eventually.Until(() => Task.FromResult(queuedAtCrash.All(p => _system.SentMessages.List(p).Count == 1)), ok => ok, TimeSpan.FromSeconds(150));
        Assert.True(done, "the outbox of the crashed silo was not sent");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.All(sentBefore.Concat(queuedAtCrash), phone => Assert.Single(_system.SentMessages.List(phone)));
    }

    [Fact]
    public async Task Outside_the_window_the_template_goes_out_and_a_131047_from_the_API_is_a_clear_failure()
    {
        _system.Meta.EnforceWindow = true;
        // Citizen A wrote on Friday evening; staff answer on Monday: the template goes, the text is held.
        var friday = Phone(4, 1);
        await WriteAsync(friday, "Lärm vom Sportplatz", DateTimeOffset.UtcNow.AddHours(-60));
        await _system.WaitUntilRecordedAsync();
        var reply = await _system.Staff().ReplyAsync(new ReplyRequest { Conversation = LocalSystem.ConversationName(friday), Text = "Wir haben mit dem Verein gesprochen.", RequestId = "w-1" });
        Assert.Equal(DeliveryState.WaitingForWindow, reply.State);
        var conversation = await Eventually.Until(() => ConversationAsync(friday),
            c => c.Entries.Any(e => e.Outbound is { Kind: OutboundKind.WindowTemplate } t && Accepted(t)));
        Assert.False(conversation.Summary.WindowOpen);
        Assert.Equal(["[Vorlage bitte_melden (de)]"], _system.SentMessages.List(friday).Select(m => m.Text));
        Assert.Equal(reply.Id, conversation.Entries.Single(e => e.Outbound is { State: DeliveryState.WaitingForWindow }).Outbound.Id);

        // Citizen B's message never reached this stand-in's WhatsApp: the API refuses free text with 131047.
        var unknown = Phone(4, 2);
        await WriteAsync(unknown, "Hallo");
        var failed = await Eventually.Until(() => ConversationAsync(unknown),
            c => c.Entries.Any(e => e.Outbound is { State: DeliveryState.Failed }));
        var ack = failed.Entries.Single(e => e.Outbound is not null).Outbound;
        Assert.Equal((DeliveryState.Failed, 131047), (ack.State, ack.FailureCode));
        Assert.StartsWith("WhatsApp-Fehler 131047: Mehr als 24 Stunden", ack.FailureReason, StringComparison.Ordinal);

        // Citizen A answers through WhatsApp (the stand-in): the window opens and the held reply follows.
        using var http = new HttpClient();
        using var answer = await http.PostAsJsonAsync(new Uri(_system.Simulator, "/simulator/citizens/messages"), new { from = friday, text = "Ja, bitte?" });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await Eventually.Until(() => Task.FromResult(_system.SentMessages.List(friday).Count), n => n == 2);
        Assert.Equal(["[Vorlage bitte_melden (de)]", "Wir haben mit dem Verein gesprochen."], _system.SentMessages.List(friday).Select(m => m.Text));
    }
}

/// <summary>On a system with a low throughput limit: the pacing keeps under it, cluster-wide.</summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class OutboundPacingTests : IAsyncLifetime
{
    private const int Limit = 5;
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:MessagesPerSecond={Limit}");
        await _system.InitializeAsync();
        _system.Meta.MessagesPerSecond = Limit;
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task With_a_low_limit_the_API_never_sees_more_than_the_limit_in_any_second()
    {
        // Warm up (the first send compiles code paths and opens the connection, which delays it by tens of ms).
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook("+4915154000000", "Hallo")))
        {
        }
        await Eventually.Until(() => Task.FromResult(_system.SentMessages.List("+4915154000000").Count), n => n == 1);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var phones = Enumerable.Range(0, 30).Select(i => $"+4915155{i:D6}").ToList();
        foreach (var phone in phones)
        {
            using var response = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo"), waitUntilRecorded: false);
        }

        await Eventually.Until(() => Task.FromResult(phones.Count(p => _system.SentMessages.List(p).Count == 1)), n => n == phones.Count, TimeSpan.FromSeconds(30));

        var accepted = phones.Select(p => _system.SentMessages.List(p).Single().AcceptedAt).Order().ToList();
        foreach (var start in accepted)
        {
            Assert.True(accepted.Count(t => t >= start && t < start.AddSeconds(1)) <= Limit);
        }
        Assert.True(0 == _system.Meta.Refusals.GetValueOrDefault(130429), "accepted " + string.Join(" ", accepted.Select(t => t.ToString("ss.fff", System.Globalization.CultureInfo.InvariantCulture)))
            + "; refused " + string.Join(" ", _system.Meta.RefusalLog.Select(r => r.At.ToString("ss.fff", System.Globalization.CultureInfo.InvariantCulture) + "/" + r.Code)));
        // And not much slower than the limit: 30 messages at 5 per second take about 6 seconds.
        Assert.True(accepted[^1] - accepted[0] < TimeSpan.FromSeconds(9), $"{(accepted[^1] - accepted[0]).TotalSeconds} s");
    }
}

/// <summary>The silo as its own process, killed with SIGKILL in the middle of sending.</summary>
public sealed class SiloKillTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        await _system.StartSiloProcessAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task A_silo_killed_mid_send_leaves_nothing_unsent_and_nothing_sent_twice()
    {
        _system.Meta.StatusWebhooks = true;
        var sentBefore = Enumerable.Range(0, 3).Select(i => $"+4915166{i:D6}").ToList();
        var inFlight = Enumerable.Range(10, 3).Select(i => $"+4915166{i:D6}").ToList();
        var queued = Enumerable.Range(20, 3).Select(i => $"+4915166{i:D6}").ToList();
        foreach (var phone in sentBefore)
        {
            using var r = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo"));
        }
        await Eventually.Until(() => Task.FromResult(sentBefore.All(p => _system.SentMessages.List(p).Count == 1)), ok => ok, TimeSpan.FromSeconds(30));

        // In flight: WhatsApp accepts these, but the answers come too late; the process dies before they come.
        _system.Meta.Faults = new FaultPlan { TimeoutShare = 1, TimeoutDelay = TimeSpan.FromSeconds(30) };
        foreach (var phone in inFlight)
        {
            using var r = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo"));
        }
        await Eventually.Until(() => Task.FromResult(inFlight.All(p => _system.SentMessages.List(p).Count == 1)), ok => ok, TimeSpan.FromSeconds(30));
        // Queued: the API is down, these wait in the outbox.
        _system.Meta.Faults = new FaultPlan { OutageSeconds = 600 };
        foreach (var phone in queued)
        {
            using var r = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo"));
        }

        await _system.KillSiloProcessAsync();
        _system.Meta.Faults = new FaultPlan();
        await _system.StartSiloProcessAsync();

        var done = await Eventually.Until(() => Task.FromResult(queued.All(p => _system.SentMessages.List(p).Count >= 1)), ok => ok, TimeSpan.FromSeconds(150));
        Assert.True(done, "the outbox of the killed silo was not sent");
        // The in-flight ones had reached WhatsApp: their status webhooks name them, so they are not sent again even
        // after the grace period.
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.All(sentBefore.Concat(inFlight).Concat(queued), phone => Assert.Single(_system.SentMessages.List(phone)));
        var conversation = await _system.Staff().GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(inFlight[0]) });
        var ack = conversation.Entries.Single(e => e.Outbound is not null).Outbound;
        Assert.Equal(_system.SentMessages.List(inFlight[0]).Single().Id, ack.WhatsappMessageId);
    }
}
