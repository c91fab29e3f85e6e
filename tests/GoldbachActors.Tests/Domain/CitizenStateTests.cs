using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;

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

        Assert.Single(state.ProcessedMessages);
        Assert.True(state.HasProcessed("wamid.new"));
        Assert.False(state.HasProcessed("wamid.old"));
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

        state.QueueReply(new StaffReply("r1", "Antwort", StaffActor.Agent("staff-01")), Now);
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
        var reply = state.QueueReply(new StaffReply("r1", "Antwort", StaffActor.Agent("staff-01")), Now);

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

public sealed class ConversationRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly ConversationRules Rules = new(TimeSpan.FromDays(3), TimeSpan.FromMinutes(10));

    private static InboundMessage Message(int i, DateTimeOffset at) => new($"wamid.{i}", at, "text", $"m{i}", "+4915112345678", null);

    [Fact]
    public void After_three_days_of_silence_a_message_opens_a_new_conversation_that_is_acknowledged_again()
    {
        var state = new CitizenState();
        state.TryRecord(Message(1, T0), T0, Rules);
        Assert.NotNull(state.QueueAcknowledgementIfDue("Danke", T0, Rules));
        state.TryRecord(Message(2, T0.AddDays(2)), T0.AddDays(2), Rules);
        Assert.Null(state.QueueAcknowledgementIfDue("Danke", T0.AddDays(2), Rules));

        var later = T0.AddDays(5).AddMinutes(1);
        state.TryRecord(Message(3, later), later, Rules);

        Assert.Equal(2, state.ConversationNumber);
        Assert.NotNull(state.QueueAcknowledgementIfDue("Danke", later, Rules));
    }

    [Fact]
    public void A_staff_reply_keeps_the_conversation_alive()
    {
        var state = new CitizenState();
        state.TryRecord(Message(1, T0), T0, Rules);
        state.QueueAcknowledgementIfDue("Danke", T0, Rules);
        state.QueueReply(new StaffReply("r", "Antwort", StaffActor.Agent("staff-01")), T0.AddDays(2));

        state.TryRecord(Message(2, T0.AddDays(4)), T0.AddDays(4), Rules);

        Assert.Equal(1, state.ConversationNumber);
        Assert.Null(state.QueueAcknowledgementIfDue("Danke", T0.AddDays(4), Rules));
    }

    [Fact]
    public void No_acknowledgement_on_top_of_a_staff_reply_of_the_last_minutes()
    {
        var rules = Rules with { SilenceStartsNewConversation = TimeSpan.FromMinutes(1) };
        var state = new CitizenState();
        state.TryRecord(Message(1, T0), T0, rules);
        state.QueueAcknowledgementIfDue("Danke", T0, rules);
        state.QueueReply(new StaffReply("r", "Erledigt!", StaffActor.Agent("staff-01")), T0.AddHours(1));

        // A new conversation by the (short) silence rule, five minutes after the reply: no acknowledgement now or later in it.
        state.TryRecord(Message(2, T0.AddHours(1).AddMinutes(5)), T0.AddHours(1).AddMinutes(5), rules);
        Assert.Equal(2, state.ConversationNumber);
        Assert.Null(state.QueueAcknowledgementIfDue("Danke", T0.AddHours(1).AddMinutes(5), rules));
        state.TryRecord(Message(3, T0.AddHours(1).AddMinutes(5.5)), T0.AddHours(1).AddMinutes(20), rules);
        Assert.Null(state.QueueAcknowledgementIfDue("Danke", T0.AddHours(1).AddMinutes(20), rules));
    }

    [Fact]
    public void For_any_interleaving_of_messages_and_replies_each_conversation_is_acknowledged_at_most_once()
    {
        var random = new Random(4);
        for (var run = 0; run < 500; run++)
        {
            var state = new CitizenState();
            var now = T0;
            var acknowledgements = new Dictionary<int, int>();
            for (var step = 0; step < 40; step++)
            {
                now += TimeSpan.FromMinutes(random.Next(4) switch { 0 => 1, 1 => 30, 2 => 60 * 24, _ => 60 * 24 * 4 });
                if (random.Next(3) == 0 && state.Exists)
                {
                    state.QueueReply(new StaffReply($"r{run}-{step}", "Antwort", StaffActor.Agent("staff-01")), now);
                }
                else
                {
                    // Meta may deliver a message twice, and late.
                    var id = random.Next(5) == 0 && step > 0 ? step - 1 : step;
                    state.TryRecord(Message(id, now - TimeSpan.FromSeconds(random.Next(60))), now, Rules);
                    if (state.QueueAcknowledgementIfDue("Danke", now, Rules) is not null)
                    {
                        acknowledgements[state.ConversationNumber] = acknowledgements.GetValueOrDefault(state.ConversationNumber) + 1;
                    }
                }
            }
            Assert.All(acknowledgements.Values, count => Assert.Equal(1, count));
            Assert.True(acknowledgements.Count <= state.ConversationNumber);
        }
    }

    [Fact]
    public void State_written_before_conversations_were_counted_keeps_its_acknowledgement()
    {
        var old = new CitizenState { Acknowledged = true, Inbound = [Message(1, T0)], LastInboundAt = T0 };

        old.TryRecord(Message(2, T0.AddMinutes(5)), T0.AddMinutes(5), Rules);

        Assert.Equal(1, old.ConversationNumber);
        Assert.Null(old.QueueAcknowledgementIfDue("Danke", T0.AddMinutes(5), Rules));
    }
}
