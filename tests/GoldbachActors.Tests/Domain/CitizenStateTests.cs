using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;

namespace GoldbachActors.Tests.Domain;

public sealed class CitizenStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);

    private static InboundMessage Message(string id, string text, DateTimeOffset? at = null) =>
        new(id, at ?? Now, "text", text, "+4915112345678", "Erika");

    [Fact]
    public void A_message_id_seen_before_changes_nothing()
    {
        var state = new CitizenState();
        Assert.True(state.TryRecord(Message("wamid.1", "a"), Now));
        var revision = state.Revision;

        Assert.False(state.TryRecord(Message("wamid.1", "a"), Now.AddMinutes(1)));

        Assert.Single(state.Inbound);
        Assert.Equal(revision, state.Revision);
    }

    [Fact]
    public void Message_ids_are_forgotten_after_the_deduplication_window_so_the_window_stays_bounded()
    {
        var state = new CitizenState();
        state.TryRecord(Message("wamid.old", "a"), Now);

        state.TryRecord(Message("wamid.new", "b"), Now + CitizenState.DeduplicationWindow + TimeSpan.FromMinutes(1));

        Assert.Equal(["wamid.new"], state.ProcessedMessageIds.Keys);
    }

    [Fact]
    public void Only_the_first_message_of_a_conversation_queues_an_acknowledgement()
    {
        var state = new CitizenState();
        var acknowledgements = new List<OutboundMessage?>();
        for (var i = 0; i < 10; i++)
        {
            state.TryRecord(Message($"wamid.{i}", $"Nachricht {i}"), Now);
            acknowledgements.Add(state.QueueAcknowledgementIfDue("Danke!", Now));
        }

        Assert.NotNull(acknowledgements[0]);
        Assert.All(acknowledgements.Skip(1), Assert.Null);
        var queued = Assert.Single(state.Outbound);
        Assert.Equal(OutboundKind.Acknowledgement, queued.Kind);
        Assert.Equal("Danke!", queued.Text);
    }

    [Fact]
    public void Profile_is_kept_when_a_later_message_omits_it()
    {
        var state = new CitizenState();
        state.TryRecord(Message("wamid.1", "a"), Now);
        state.TryRecord(new InboundMessage("wamid.2", Now, "text", "b", null, null), Now);

        Assert.Equal("+4915112345678", state.PhoneNumber);
        Assert.Equal("Erika", state.ProfileName);
    }

    [Fact]
    public void A_reply_sets_the_conversation_waiting_and_a_citizen_message_opens_it_again()
    {
        var state = new CitizenState();
        state.TryRecord(Message("wamid.1", "a"), Now);

        state.QueueReply(new StaffReply("r1", "Antwort", "staff-01"), Now);
        Assert.Equal(ConversationStatus.WaitingForCitizen, state.Status);

        state.TryRecord(Message("wamid.2", "b"), Now);
        Assert.Equal(ConversationStatus.Open, state.Status);
    }

    [Fact]
    public void Outbound_messages_go_out_oldest_first_and_ids_are_unique()
    {
        var state = new CitizenState();
        state.TryRecord(Message("wamid.1", "a"), Now);
        var ack = state.QueueAcknowledgementIfDue("Danke", Now)!;
        var reply = state.QueueReply(new StaffReply("r1", "Antwort", "staff-01"), Now);

        Assert.Equal(ack.Id, state.NextToSend()!.Id);
        state.Update(ack with { State = DeliveryState.Sent, WhatsAppMessageId = "wamid.out" });
        Assert.Equal(reply.Id, state.NextToSend()!.Id);
        Assert.NotEqual(ack.Id, reply.Id);
    }

    [Fact]
    public void Summary_previews_long_texts_and_names_other_types()
    {
        var state = new CitizenState();
        state.TryRecord(Message("wamid.1", new string('x', 200)), Now);
        Assert.Equal(80, state.ToSummary(CitizenKey.Create("1", "DE.1")).LastMessagePreview!.Length);

        state.TryRecord(new InboundMessage("wamid.2", Now.AddSeconds(1), "image", null, null, null), Now);
        Assert.Equal("[image]", state.ToSummary(CitizenKey.Create("1", "DE.1")).LastMessagePreview);
    }
}
