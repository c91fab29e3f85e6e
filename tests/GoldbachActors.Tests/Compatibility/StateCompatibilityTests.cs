using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace GoldbachActors.Tests.Compatibility;

/// <summary>
/// State written by earlier code must be read by today's (rolling upgrades, state in storage for years). The fixture
/// <c>citizen-state-v1.bin</c> is a citizen's state as the grain storage serializer wrote it on 2026-11-29; it must
/// never be regenerated, only joined by newer fixtures.
/// </summary>
public sealed class StateCompatibilityTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Compatibility");

    private static OrleansGrainStorageSerializer Serializer()
    {
        var services = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(CitizenState).Assembly).AddAssembly(typeof(InboundMessage).Assembly))
            .BuildServiceProvider();
        return new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
    }

    [Fact]
    public void Citizen_state_written_by_the_first_version_is_read_by_this_one()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, "citizen-state-v1.bin"));

        var state = Serializer().Deserialize<CitizenState>(new BinaryData(bytes))!;

        Assert.Equal("+4915112345678", state.PhoneNumber);
        Assert.Equal("Erika Mustermann", state.ProfileName);
        Assert.Equal(["Die Schaukel ist kaputt", null], state.Inbound.Select(m => m.Text));
        Assert.Equal("image", state.Inbound[1].Media!.Kind);
        Assert.Equal(MediaStatus.Stored, state.Inbound[1].Media!.Status);
        Assert.Equal((OutboundKind.Acknowledgement, DeliveryState.Read, "wamid.out1"), (state.Outbound[0].Kind, state.Outbound[0].State, state.Outbound[0].WhatsAppMessageId));
        Assert.Equal(("staff-01", "r-1"), (state.Outbound[1].SentBy, state.Outbound[1].RequestId));
        Assert.True(state.Acknowledged);
        Assert.Equal(ConversationStatus.WaitingForCitizen, state.Status);
        Assert.Equal(("Spielplatz", 1), (state.Category, state.ConversationNumber));
        Assert.True(state.HasProcessed("wamid.in1"));
        // Read by today's rules: a retry of a message recorded by the first version is still a duplicate.
        Assert.False(state.TryRecord(new InboundMessage("wamid.in1", state.Inbound[0].SentAt, "text", "Die Schaukel ist kaputt", null, null), state.Inbound[0].SentAt.AddMinutes(1)));
        Assert.True(state.Exists);
    }

    /// <summary>How the fixture was made (kept to show its content; running it does not overwrite the fixture).</summary>
    internal static CitizenState FixtureState()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        var state = new CitizenState();
        state.TryRecord(new InboundMessage("wamid.in1", at, "text", "Die Schaukel ist kaputt", "+4915112345678", "Erika Mustermann"), at);
        state.TryRecord(new InboundMessage("wamid.in2", at.AddSeconds(5), "image", null, null, null)
        {
            Media = new MediaAttachment { Kind = "image", MediaId = "123", MimeType = "image/jpeg", Status = MediaStatus.Stored, BlobName = "1/DE.1/wamid.in2", SizeBytes = 42 },
        }, at);
        var ack = state.QueueAcknowledgementIfDue("Vielen Dank!", at)!;
        state.Update(ack with { State = DeliveryState.Read, WhatsAppMessageId = "wamid.out1" });
        state.QueueReply(new StaffReply("r-1", "Wir kümmern uns.", "staff-01"), at.AddMinutes(3));
        state.Category = "Spielplatz";
        return state;
    }

    [Fact]
    public void The_fixture_still_describes_what_the_state_holds()
    {
        // Writing today's state and reading it back must give the same as reading the fixture: the fixture is
        // not stale in a way that hides a field this code no longer reads.
        var serializer = Serializer();
        var roundTripped = serializer.Deserialize<CitizenState>(serializer.Serialize(FixtureState()))!;
        var fromFixture = serializer.Deserialize<CitizenState>(new BinaryData(File.ReadAllBytes(Path.Combine(FixtureDirectory, "citizen-state-v1.bin"))))!;

        Assert.Equal(roundTripped.Inbound.Select(m => m.WhatsAppMessageId), fromFixture.Inbound.Select(m => m.WhatsAppMessageId));
        Assert.Equal(roundTripped.Outbound.Select(m => (m.Id, m.State)), fromFixture.Outbound.Select(m => (m.Id, m.State)));
    }
}
