using System.Net;
using GoldbachActors.Contracts.Staff.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

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
        using (var ready = await _system.GetAsync("/health/ready"))
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
