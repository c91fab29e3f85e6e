using GoldbachActors.Contracts;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using GoldbachActors.WhatsAppSimulator;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// What a message costs in storage round trips, counted by the storage clients' own counter
/// (<c>goldbach.storage.requests</c>) on this system's Azurite only: the figures the intake benchmark prints, held here
/// so that a change that adds a write per message fails a test. Also the outbox registry that replaced the
/// per-citizen reminder: a citizen is registered while a message waits and woken by it.
/// </summary>
public sealed class StorageRoundTripTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    private static string CitizenKeyOf(string phone) =>
        CitizenKey.Create(LocalSystem.Tenant, CitizenPhoneEndpoints.BusinessScopedUserIdFor(phone.TrimStart('+'))).GrainKey;

    private async Task<StaffApi.V1.OutboundMessage> AcknowledgementAsync(string phone) =>
        (await _system.Staff().GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }))
        .Entries.Where(e => e.Outbound is not null).Select(e => e.Outbound).Single();

    [Fact]
    public async Task A_first_message_with_its_acknowledgement_writes_the_citizens_row_twice_and_needs_no_reminder_and_no_tombstone_read()
    {
        // Warm-up in the same registry shard: the tenant's grains and the shard's reminder exist before counting.
        var phone = "+4915104000001";
        var shard = IOutboxRegistryGrain.GrainKey(CitizenKey.ParseGrainKey(CitizenKeyOf(phone)));
        var warmUp = Enumerable.Range(2, 500).Select(i => $"+41510400{i:D4}")
            .First(p => IOutboxRegistryGrain.GrainKey(CitizenKey.ParseGrainKey(CitizenKeyOf(p))) == shard);
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook(warmUp, "Guten Tag")))
        {
        }
        await _system.WaitForSentAsync(warmUp, 1);
        await Eventually.Until(() => AcknowledgementAsync(warmUp), m => m.State == StaffApi.V1.DeliveryState.Sent, TimeSpan.FromSeconds(10));

        using var trips = new StorageTrips(_system.Storage.TablePort);
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Die Straßenlaterne am Kirchplatz ist kaputt")))
        {
        }
        await _system.WaitForSentAsync(phone, 1);
        var acknowledgement = await Eventually.Until(() => AcknowledgementAsync(phone), m => m.State == StaffApi.V1.DeliveryState.Sent, TimeSpan.FromSeconds(10));

        Assert.Equal(StaffApi.V1.DeliveryState.Sent, acknowledgement.State);
        // Recorded with the acknowledgement already marked "sending" (one write), then "sent" (the second).
        Assert.Equal(2, trips.Count("GoldbachCitizens", "POST") + trips.Count("GoldbachCitizens", "PUT"));
        Assert.Equal(0, trips.Count("GoldbachReminders"));
        Assert.Equal(0, trips.Count("ErasureTombstones"));
        Assert.Contains(CitizenKeyOf(phone), await _system.Cluster.GetGrain<IOutboxRegistryGrain>(shard).ListAsync());
    }

    [Fact]
    public async Task A_citizen_whose_acknowledgement_waits_is_registered_until_an_erasure_takes_the_registration_with_it()
    {
        _system.Meta.Faults = new FaultPlan { OutageSeconds = 600 };
        var phone = "+4915104100001";
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Wann ist der Wertstoffhof offen?")))
        {
        }
        var shard = _system.Cluster.GetGrain<IOutboxRegistryGrain>(IOutboxRegistryGrain.GrainKey(CitizenKey.ParseGrainKey(CitizenKeyOf(phone))));
        await Eventually.Until(() => AcknowledgementAsync(phone), m => m.FailureReason.Length > 0, TimeSpan.FromSeconds(20));
        Assert.Contains(CitizenKeyOf(phone), await shard.ListAsync());

        var supervisor = _system.Staff("chefin", GoldbachActors.Contracts.StaffRoles.Supervisor);
        await supervisor.EraseCitizenAsync(new EraseCitizenRequest
        {
            Citizen = new CitizenSelector { Parent = $"tenants/{LocalSystem.Tenant}", PhoneNumber = phone },
            RequestId = "erase-waiting-1",
        });

        // Gone from the registry (and its table row) with the erasure, not a minute later at the shard's tick.
        Assert.DoesNotContain(CitizenKeyOf(phone), await shard.ListAsync());
        var rows = new Azure.Data.Tables.TableServiceClient(_system.Storage.ConnectionString).GetTableClient("OutboxRegistry");
        var identity = CitizenKey.ParseGrainKey(CitizenKeyOf(phone)).Identity;
        Assert.Empty(await rows.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey == identity).ToListAsync());
        _system.Meta.Faults = new FaultPlan();
    }
}
