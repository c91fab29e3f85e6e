using System.Net;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>State lives in Azure Table storage (Azurite): a new silo of the same service reads it back.</summary>
public sealed class PersistenceTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Conversation_and_inbox_survive_a_silo_restart_and_the_citizen_is_not_acknowledged_again()
    {
        const string phone = "+4915112345620";
        using (var response = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Der Mülleimer am Bahnhof quillt über")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await _system.WaitForSentAsync(phone, 1);
        // The dispatcher has recorded the acknowledgement's wamid (stored before the restart).
        await Eventually.Until(
            () => _system.Staff().GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync,
            c => c.Entries.Any(e => e.Outbound is { State: DeliveryState.Sent }), TimeSpan.FromSeconds(10));

        await _system.StopSiloAsync();
        await _system.StartSiloAsync();

        var staff = _system.Staff();
        var inbox = await Eventually.Succeeds<ListConversationsResponse, Grpc.Core.RpcException>(() => staff.ListConversationsAsync(
            new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync);
        var summary = Assert.Single(inbox.Conversations);
        Assert.Equal(LocalSystem.ConversationName(phone), summary.Name);
        Assert.Equal("Der Mülleimer am Bahnhof quillt über", summary.LastMessagePreview);

        var conversation = await staff.GetConversationAsync(new GetConversationRequest { Name = summary.Name });
        Assert.Equal("Der Mülleimer am Bahnhof quillt über", conversation.Entries[0].Inbound.Text);
        var ack = Assert.Single(conversation.Entries, e => e.Outbound is not null).Outbound;
        Assert.Equal(DeliveryState.Sent, ack.State);
        Assert.StartsWith("wamid.", ack.WhatsappMessageId, StringComparison.Ordinal);

        using (var response = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Noch eine Frage")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await Task.Delay(500);
        Assert.Single(_system.SentMessages.List(phone));
    }

    [Fact]
    public async Task A_webhook_answered_while_no_silo_runs_is_recorded_from_the_journal_once_a_silo_is_back()
    {
        const string phone = "+4915112345621";
        await _system.StopSiloAsync();

        using (var response = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Gemeldet während der Wartung"), waitUntilRecorded: false))
        {
            // Durable in the journal, so Meta may forget it: nothing may be lost from here on.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Staff calls meanwhile say "try again" (UNAVAILABLE), not an internal error.
        var down = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _system.Staff()
            .GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, down.StatusCode);

        await _system.StartSiloAsync();
        var conversation = await Eventually.Until(
            () => Eventually.Succeeds<Conversation, Grpc.Core.RpcException>(() => _system.Staff()
                .GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync, TimeSpan.FromSeconds(60)),
            c => c.Entries.Any(e => e.Inbound is not null),
            TimeSpan.FromSeconds(60));
        Assert.Equal("Gemeldet während der Wartung", Assert.Single(conversation.Entries, e => e.Inbound is not null).Inbound.Text);
        Assert.Single(await _system.WaitForSentAsync(phone, 1));
        await Task.Delay(TimeSpan.FromSeconds(3)); // another sweep: the replayed entry is gone, nothing is replayed twice
        Assert.Single(_system.SentMessages.List(phone));
    }

    [Fact]
    public async Task A_webhook_a_crashed_gateway_journaled_but_never_recorded_is_replayed_by_the_sweeper()
    {
        const string phone = "+4915112345622";
        // What a gateway leaves behind when it dies between answering Meta and recording: the journaled body only.
        await _system.Journal.AppendAsync(LocalSystem.TextWebhook(phone, "Kurz vor dem Absturz"));

        var conversation = await Eventually.Succeeds<Conversation, Grpc.Core.RpcException>(() => _system.Staff()
            .GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync, TimeSpan.FromSeconds(30));

        Assert.Equal("Kurz vor dem Absturz", Assert.Single(conversation.Entries, e => e.Inbound is not null).Inbound.Text);
        Assert.Single(await _system.WaitForSentAsync(phone, 1));
        await Task.Delay(TimeSpan.FromSeconds(4)); // further sweeps: the entry was deleted, nothing is replayed twice
        Assert.Single(_system.SentMessages.List(phone));
        var left = await _system.Journal.ReadStaleAsync(TimeSpan.Zero, _ => false, CancellationToken.None).CountAsync();
        Assert.Equal(0, left);
    }

    [Fact]
    public async Task A_long_history_is_stored_in_pages_and_staff_read_it_newest_first_after_a_restart()
    {
        const string phone = "+4915112345621";
        var t0 = DateTimeOffset.UtcNow.AddHours(-2);
        const int messages = 90;
        for (var i = 0; i < messages; i++)
        {
            using var response = await _system.PostWebhookAsync(
                LocalSystem.TextWebhook(phone, $"Meldung {i}", at: t0.AddSeconds(i)), waitUntilRecorded: false);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await _system.WaitUntilRecordedAsync();
        await _system.StopSiloAsync();
        await _system.StartSiloAsync();

        var staff = _system.Staff();
        var name = LocalSystem.ConversationName(phone);
        var page = await Eventually.Succeeds<Conversation, Grpc.Core.RpcException>(
            () => staff.GetConversationAsync(new GetConversationRequest { Name = name }).ResponseAsync);
        var newestFirst = new List<string>();
        var pages = 0;
        while (true)
        {
            newestFirst.AddRange(page.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text).Reverse());
            if (string.IsNullOrEmpty(page.NextPageToken))
            {
                break;
            }
            pages++;
            page = await staff.GetConversationAsync(new GetConversationRequest { Name = name, PageToken = page.NextPageToken });
        }

        Assert.True(pages >= 2, $"{pages} archived pages");
        Assert.Equal(Enumerable.Range(0, messages).Reverse().Select(i => $"Meldung {i}"), newestFirst);
        var bad = await Assert.ThrowsAsync<Grpc.Core.RpcException>(
            () => staff.GetConversationAsync(new GetConversationRequest { Name = name, PageToken = "history/999" }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Single(_system.SentMessages.List(phone));
    }
}
