using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>WatchInbox over real sockets: live events, two watchers, resuming from a position, the duty phone's alert.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class WatchInboxTests(LocalSystem system)
{
    private static readonly WatchInboxRequest OwnInbox = new() { Parent = $"tenants/{LocalSystem.Tenant}" };

    internal static async Task<InboxEvent> NextAboutAsync(IAsyncStreamReader<InboxEvent> stream, string conversation, CancellationToken cancellation)
    {
        while (await stream.MoveNext(cancellation))
        {
            if (stream.Current.Conversation?.Name == conversation)
            {
                return stream.Current;
            }
        }
        throw new InvalidOperationException("The stream ended.");
    }

    [Fact]
    public async Task A_webhooks_message_reaches_two_connected_watchers_within_a_second()
    {
        const string phone = "+4915112348001";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var first = system.Staff("desk-01").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        using var second = system.Staff("duty-phone").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        // Both are connected and waiting: the gateway's response headers say from which position.
        await first.ResponseHeadersAsync;
        await second.ResponseHeadersAsync;

        var sent = DateTimeOffset.UtcNow;
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Die Straßenlampe flackert"), waitUntilRecorded: false))
        {
        }
        var name = LocalSystem.ConversationName(phone);
        var seenByFirst = await NextAboutAsync(first.ResponseStream, name, timeout.Token);
        var firstLatency = DateTimeOffset.UtcNow - sent;
        var seenBySecond = await NextAboutAsync(second.ResponseStream, name, timeout.Token);

        Assert.Equal(InboxEventKind.NewConversation, seenByFirst.Kind);
        Assert.Equal(seenByFirst.Position, seenBySecond.Position);
        Assert.Equal("Die Straßenlampe flackert", seenByFirst.Conversation.LastMessagePreview);
        Assert.True(firstLatency < TimeSpan.FromSeconds(1), $"{firstLatency.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_watcher_that_reconnects_with_its_last_position_misses_nothing()
    {
        const string phone = "+4915112348002";
        var name = LocalSystem.ConversationName(phone);
        string position;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        using (var watch = system.Staff().WatchInbox(OwnInbox, cancellationToken: timeout.Token))
        {
            await watch.ResponseHeadersAsync;
            using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Erste Nachricht"), waitUntilRecorded: false))
            {
            }
            position = (await NextAboutAsync(watch.ResponseStream, name, timeout.Token)).Position;
        }

        // Disconnected: meanwhile the citizen writes again and danger is reported.
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Zweite Nachricht")))
        {
        }
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Jetzt brennt der Container!")))
        {
        }

        using var again = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var resumed = system.Staff().WatchInbox(new WatchInboxRequest(OwnInbox) { Position = position }, cancellationToken: again.Token);
        var missed = new List<InboxEvent> { await NextAboutAsync(resumed.ResponseStream, name, again.Token), await NextAboutAsync(resumed.ResponseStream, name, again.Token) };

        Assert.Equal([InboxEventKind.NewMessage, InboxEventKind.UrgentEscalation], missed.Select(e => e.Kind));
        Assert.True(missed[1].Conversation.Urgent);
        Assert.Equal("Jetzt brennt der Container!", missed[1].Conversation.LastMessagePreview);
    }

    [Fact]
    public async Task A_first_message_that_reports_danger_is_an_urgent_escalation()
    {
        const string phone = "+4915112348004";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = system.Staff("duty-phone").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        await watch.ResponseHeadersAsync;
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Unfall an der Kreuzung, ein Baum liegt auf der Straße"), waitUntilRecorded: false))
        {
        }

        var first = await NextAboutAsync(watch.ResponseStream, LocalSystem.ConversationName(phone), timeout.Token);
        Assert.Equal(InboxEventKind.UrgentEscalation, first.Kind);
        Assert.True(first.Conversation.Urgent);
    }

    [Fact]
    public async Task A_new_watch_says_at_once_from_which_position_it_watches()
    {
        const string phone = "+4915112348005";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = system.Staff().WatchInbox(OwnInbox, cancellationToken: timeout.Token);

        // Before any event: the headers come as soon as the watch is registered.
        var position = (await watch.ResponseHeadersAsync).GetValue(Contracts.StaffApiMetadata.WatchPosition);
        Assert.Matches(@"^\w+\.\d+$", position);
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Der Gehweg ist vereist"), waitUntilRecorded: false))
        {
        }
        var seen = await NextAboutAsync(watch.ResponseStream, LocalSystem.ConversationName(phone), timeout.Token);

        // The same position resumes right before this event: a watcher reconnecting from it sees it again.
        using var resumed = system.Staff().WatchInbox(new WatchInboxRequest(OwnInbox) { Position = position }, cancellationToken: timeout.Token);
        Assert.Equal(position, (await resumed.ResponseHeadersAsync).GetValue(Contracts.StaffApiMetadata.WatchPosition));
        Assert.Equal(seen.Position, (await NextAboutAsync(resumed.ResponseStream, LocalSystem.ConversationName(phone), timeout.Token)).Position);
    }

    [Fact]
    public async Task A_position_the_inbox_does_not_know_asks_the_watcher_to_reload()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = system.Staff().WatchInbox(new WatchInboxRequest(OwnInbox) { Position = "0000.42" }, cancellationToken: timeout.Token);

        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(InboxEventKind.Reset, watch.ResponseStream.Current.Kind);
        Assert.NotEqual("0000.42", watch.ResponseStream.Current.Position);
    }

    [Fact]
    public async Task Watching_needs_a_token_for_the_tenant()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var anonymous = system.StaffWithToken(null).WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => anonymous.ResponseStream.MoveNext(timeout.Token))).StatusCode);
        using var otherTown = system.Staff(tenant: "999999").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => otherTown.ResponseStream.MoveNext(timeout.Token))).StatusCode);
    }

    [Fact]
    public async Task Assignments_and_delivery_failures_are_events()
    {
        var citizen = new Citizen("+4915112348003");
        var name = LocalSystem.ConversationName(citizen.Phone);
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(citizen.Phone, "Hallo")))
        {
        }
        var ack = (await system.WaitForSentAsync(citizen.Phone, 1))[0];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = system.Staff("desk").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        await watch.ResponseHeadersAsync;

        await system.Staff("emil").AssignAsync(new AssignRequest { Conversation = name, Assignee = "emil" });
        var assigned = await NextAboutAsync(watch.ResponseStream, name, timeout.Token);
        var callback = ack.Body["biz_opaque_callback_data"]!.GetValue<string>();
        using (await system.PostWebhookAsync(Payloads.Envelope([citizen], [], [Payloads.Status(ack.Id, "failed", citizen, callback,
            errors: """[{"code":131026,"title":"Message undeliverable","error_data":{"details":"Receiver is incapable of receiving this message"}}]""")])))
        {
        }
        var failed = await NextAboutAsync(watch.ResponseStream, name, timeout.Token);

        Assert.Equal((InboxEventKind.Assigned, "emil"), (assigned.Kind, assigned.Conversation.Assignee));
        Assert.Equal((InboxEventKind.DeliveryFailed, 1), (failed.Kind, failed.Conversation.FailedMessages));
    }
}

/// <summary>On its own system: floods the inbox with events.</summary>
public sealed class WatchInboxLoadTests : IAsyncLifetime
{
    private static readonly WatchInboxRequest OwnInbox = new() { Parent = $"tenants/{LocalSystem.Tenant}" };
    private readonly LocalSystem _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    private static Task<InboxEvent> NextAboutAsync(IAsyncStreamReader<InboxEvent> stream, string conversation, CancellationToken cancellation) =>
        WatchInboxTests.NextAboutAsync(stream, conversation, cancellation);

    [Fact]
    public async Task A_watcher_that_does_not_read_slows_nobody_else()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Connected, but never reads: its stream fills up (HTTP/2 flow control) and its server call waits.
        using var stalled = _system.Staff("stalled").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        using var live = _system.Staff("live").WatchInbox(OwnInbox, cancellationToken: timeout.Token);
        await stalled.ResponseHeadersAsync;
        await live.ResponseHeadersAsync;

        // Enough events to fill the stalled stream's window many times over.
        var phones = Enumerable.Range(0, 150).Select(i => $"+49151123{i:D5}9").ToList();
        await Parallel.ForEachAsync(phones, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (phone, _) =>
        {
            using var r = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, new string('x', 60) + " Meldung"), waitUntilRecorded: false);
        });
        await _system.WaitUntilRecordedAsync();
        var last = LocalSystem.ConversationName("+4915112399999");
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook("+4915112399999", "Die letzte"), waitUntilRecorded: false))
        {
        }
        var started = DateTimeOffset.UtcNow;

        var seen = await NextAboutAsync(live.ResponseStream, last, timeout.Token);

        Assert.Equal("Die letzte", seen.Conversation.LastMessagePreview);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(2), $"{(DateTimeOffset.UtcNow - started).TotalMilliseconds} ms");
    }
}
