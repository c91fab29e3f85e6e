using System.Net;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// When storage is down the gateway must not answer 200 (Meta would never send the message again); once storage is
/// back, Meta's retry records the message exactly once and the citizen is acknowledged once.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new(storageOnDisk: true);

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Webhook_during_a_storage_outage_is_answered_503_and_its_retry_after_recovery_is_recorded_once()
    {
        const string phone = "+4915112345630";
        var body = LocalSystem.TextWebhook(phone, "Die Straßenlaterne vor Hausnummer 5 ist aus");

        // Azurite saves its tables to disk every 5 s; a kill before that would lose the tables themselves, which no
        // outage of real Azure Storage does.
        await Task.Delay(TimeSpan.FromSeconds(6));
        await _system.Storage.KillAsync();
        using (var during = await _system.PostWebhookAsync(body))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        }
        // Not ready (the load balancer sends webhooks elsewhere), but alive (no restart would help).
        using (var ready = await _system.GetAsync("/health/ready"))
        using (var live = await _system.GetAsync("/health/live"))
        {
            Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (ready.StatusCode, live.StatusCode));
        }

        await _system.Storage.RestartAsync();
        HttpStatusCode status;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        do
        {
            // Meta retries with backoff until it gets a 200.
            using var retry = await _system.PostWebhookAsync(body);
            status = retry.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(500);
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        // Ready again as the load balancer polls it: its checks (storage, a silo within 3 s) may lag the first webhook
        // by a probe or two on a busy machine.
        using (var ready = await Eventually.Until(() => _system.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        using (var duplicate = await _system.PostWebhookAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        }

        var conversation = await _system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phone) });
        Assert.Single(conversation.Entries, e => e.Inbound is not null);
        Assert.Single(await _system.WaitForSentAsync(phone, 1));
        await Task.Delay(500);
        Assert.Single(_system.SentMessages.List(phone));
        var inbox = await _system.Staff().ListConversationsAsync(
            new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}" });
        Assert.Contains(inbox.Conversations, c => c.Name == LocalSystem.ConversationName(phone));
    }
}

/// <summary>
/// Gateway and silo start while storage is unreachable (pods restarting during a storage or DNS outage): once storage
/// is back they work without a restart. A table set-up that failed during the outage is tried again, not remembered.
/// </summary>
public sealed class StorageDownAtStartTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new(storageOnDisk: true) { StorageStartsAfter = TimeSpan.FromSeconds(40) };

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Hosts_started_during_a_storage_outage_record_webhooks_once_storage_is_back()
    {
        const string phone = "+4915112345631";
        using (var ready = await _system.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // Storage goes away again before the audit log's table was ever used: the first staff call fails...
        await Task.Delay(TimeSpan.FromSeconds(6)); // Azurite saves its tables to disk every 5 s
        await _system.Storage.KillAsync();
        await Assert.ThrowsAsync<RpcException>(async () => await _system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }));
        await _system.Storage.RestartAsync();
        var readyAgain = await Eventually.Until(
            async () => (await _system.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, readyAgain);

        // ...and once storage is back everything works, that set-up included: it was tried again, not remembered.
        using (var response = await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Der Mülleimer am Marktplatz quillt über")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Recorded by the grain (and acknowledged) within the journal's sweep interval, not only accepted.
        Assert.Single(await _system.WaitForSentAsync(phone, 1, TimeSpan.FromSeconds(5)));
        var conversation = await _system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phone) });
        Assert.Single(conversation.Entries, e => e.Inbound is not null);
    }
}
