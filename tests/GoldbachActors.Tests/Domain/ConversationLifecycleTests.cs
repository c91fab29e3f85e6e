using CsCheck;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

public sealed class ConversationLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly ConversationRules Rules = new(TimeSpan.FromDays(3), TimeSpan.FromMinutes(10));
    private static readonly DateTimeOffset NextWorkingDay = T0.AddDays(1);

    private static InboundMessage Message(int n, DateTimeOffset at) =>
        new($"wamid.{n}", at, "text", $"Nachricht {n}", "+4915112345678", "Erika");

    private static CitizenState Started()
    {
        var state = new CitizenState();
        state.TryRecord(Message(1, T0), T0, Rules);
        return state;
    }

    [Fact]
    public void A_first_message_starts_a_new_conversation_recorded_as_the_systems_change()
    {
        var state = Started();

        Assert.Equal(ConversationStatus.New, state.Status);
        var started = Assert.Single(state.Events);
        Assert.Equal((ConversationEventKind.Started, ConversationEvent.SystemActor, T0, 1), (started.Kind, started.Actor, started.At, started.ConversationNumber));
    }

    [Fact]
    public void A_staff_reply_waits_for_the_citizen_attributed_to_the_staff_member_and_the_answer_reopens_it()
    {
        var state = Started();

        state.QueueReply(new StaffReply("r1", "Wir kümmern uns.", StaffActor.Agent("staff-07")), T0.AddMinutes(5));
        Assert.Equal(ConversationStatus.WaitingForCitizen, state.Status);
        Assert.Null(state.DueAt);
        var waiting = state.Events[^1];
        Assert.Equal(("staff-07", "New", "WaitingForCitizen"), (waiting.Actor, waiting.From, waiting.To));

        state.TryRecord(Message(2, T0.AddHours(1)), T0.AddHours(1), Rules);
        Assert.Equal(ConversationStatus.Open, state.Status);
        Assert.Equal((ConversationEvent.SystemActor, "WaitingForCitizen", "Open"), (state.Events[^1].Actor, state.Events[^1].From, state.Events[^1].To));
        Assert.Equal(1, state.ConversationNumber);
    }

    [Fact]
    public void Snoozing_without_a_time_snoozes_until_the_next_working_day_and_the_time_reopens_it()
    {
        var state = Started();

        Assert.True(state.ChangeStatus(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-01")), T0.AddMinutes(1), NextWorkingDay));
        Assert.Equal((ConversationStatus.Snoozed, NextWorkingDay, NextWorkingDay), (state.Status, state.SnoozedUntil, state.DueAt));
        Assert.Equal(NextWorkingDay, state.ToSummary(GoldbachActors.Contracts.CitizenKey.Create("1", "DE.x")).SnoozedUntil);

        Assert.False(state.WakeIfSnoozeOver(NextWorkingDay.AddSeconds(-1)));
        Assert.True(state.WakeIfSnoozeOver(NextWorkingDay.AddHours(3)));
        Assert.Equal(ConversationStatus.Open, state.Status);
        Assert.Null(state.SnoozedUntil);
        Assert.Equal((NextWorkingDay, ConversationEvent.SystemActor), (state.Events[^1].At, state.Events[^1].Actor));
    }

    [Fact]
    public void A_citizens_message_reopens_a_snoozed_conversation_due_again()
    {
        var state = Started();
        state.ChangeStatus(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-01"), T0.AddDays(5)), T0, NextWorkingDay);

        state.TryRecord(Message(2, T0.AddHours(2)), T0.AddHours(2), Rules);
        state.ApplyTriage(new TriageResult("Sonstiges", false), T0.AddHours(2), NextWorkingDay);

        Assert.Equal(ConversationStatus.Open, state.Status);
        Assert.Equal(NextWorkingDay, state.DueAt);
    }

    [Fact]
    public void After_resolution_the_citizens_next_message_starts_a_new_conversation_that_is_acknowledged_again()
    {
        var state = Started();
        Assert.NotNull(state.QueueAcknowledgementIfDue("Danke", T0, Rules));
        state.ChangeStatus(new StatusChange(ConversationStatus.Resolved, StaffActor.Agent("staff-02")), T0.AddHours(1), NextWorkingDay);
        Assert.Equal(("staff-02", "Resolved"), (state.Events[^1].Actor, state.Events[^1].To));

        state.TryRecord(Message(2, T0.AddHours(5)), T0.AddHours(5), Rules);

        Assert.Equal((2, ConversationStatus.New), (state.ConversationNumber, state.Status));
        Assert.NotNull(state.QueueAcknowledgementIfDue("Danke", T0.AddHours(5), Rules));
    }

    [Fact]
    public void Staff_cannot_make_a_conversation_new_nor_snooze_it_into_the_past()
    {
        var state = Started();

        Assert.Throws<ArgumentException>(() => state.ChangeStatus(new StatusChange(ConversationStatus.New, StaffActor.Agent("staff-01")), T0, NextWorkingDay));
        Assert.Throws<ArgumentException>(() => state.ChangeStatus(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-01"), T0.AddMinutes(-1)), T0, NextWorkingDay));
        Assert.Equal(ConversationStatus.New, state.Status);
        // Opening it is a change; opening it again is none.
        Assert.True(state.ChangeStatus(new StatusChange(ConversationStatus.Open, StaffActor.Agent("staff-01")), T0, NextWorkingDay));
        Assert.False(state.ChangeStatus(new StatusChange(ConversationStatus.Open, StaffActor.Agent("staff-01")), T0, NextWorkingDay));
    }

    [Fact]
    public void A_category_staff_chose_is_not_replaced_by_triage()
    {
        var state = Started();
        state.ApplyTriage(new TriageResult("Sonstiges", false), T0, NextWorkingDay);

        Assert.True(state.ChooseCategory("Sonstiges", "staff-03", T0.AddMinutes(1)) is false);
        state.ApplyTriage(new TriageResult("Spielplatz", false), T0.AddMinutes(2), NextWorkingDay);

        Assert.Equal("Sonstiges", state.Category);
        Assert.True(state.ChooseCategory("Parkverstoß", "staff-03", T0.AddMinutes(3)));
        Assert.Equal(("staff-03", "Sonstiges", "Parkverstoß"), (state.Events[^1].Actor, state.Events[^1].From, state.Events[^1].To));
    }

    [Fact]
    public void Danger_escalates_once_and_is_recorded()
    {
        var state = Started();

        Assert.True(state.ApplyTriage(new TriageResult("Sonstiges", true), T0, NextWorkingDay));
        Assert.False(state.ApplyTriage(new TriageResult("Sonstiges", true), T0.AddMinutes(1), NextWorkingDay));

        Assert.Equal((true, T0), (state.Urgent, state.DueAt));
        Assert.Single(state.Events, e => e.Kind == ConversationEventKind.Escalated);
    }

    private enum Step { Message, Duplicate, Reply, Resolve, Snooze, Reopen }

    [Fact]
    public void Any_interleaving_of_messages_replies_and_status_changes_acknowledges_each_conversation_at_most_once_and_never_right_after_a_reply()
    {
        var steps = Gen.Select(Gen.Enum<Step>(), Gen.Int[0, 5]).Array[1, 60];
        var flood = new RateLimitOptions { Burst = 3, Every = TimeSpan.FromMinutes(1) };

        steps.Sample(plan =>
        {
            var state = new CitizenState();
            var now = T0;
            var acknowledgements = new Dictionary<int, int>();
            var n = 0;
            foreach (var (step, gap) in plan)
            {
                now += gap switch { 0 => TimeSpan.FromSeconds(2), 1 => TimeSpan.FromMinutes(1), 2 => TimeSpan.FromMinutes(11), 3 => TimeSpan.FromHours(5), 4 => TimeSpan.FromDays(1), _ => TimeSpan.FromDays(4) };
                switch (step)
                {
                    case Step.Message or Step.Duplicate:
                        var id = step == Step.Duplicate && n > 0 ? n : ++n;
                        if (state.TryRecord(Message(id, now), now, Rules))
                        {
                            if (!state.TakeInboundToken(flood, now))
                            {
                                state.SkipAcknowledgement();
                            }
                            else if (state.QueueAcknowledgementIfDue("Danke", now, Rules) is not null)
                            {
                                acknowledgements[state.ConversationNumber] = acknowledgements.GetValueOrDefault(state.ConversationNumber) + 1;
                                // Never on top of a recent staff reply.
                                if (state.LastStaffReplyAt is { } reply)
                                {
                                    Assert.True(now - reply >= Rules.QuietAfterStaffReply, $"acknowledged {now - reply} after a staff reply");
                                }
                            }
                        }
                        break;
                    case Step.Reply when state.Exists:
                        state.QueueReply(new StaffReply($"r{now.Ticks}", "Antwort", StaffActor.Agent("staff-01")), now);
                        break;
                    case Step.Resolve when state.Exists:
                        state.ChangeStatus(new StatusChange(ConversationStatus.Resolved, StaffActor.Agent("staff-01")), now, now.AddDays(1));
                        break;
                    case Step.Snooze when state.Exists:
                        state.ChangeStatus(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-01")), now, now.AddHours(12));
                        break;
                    case Step.Reopen when state.Exists:
                        state.ChangeStatus(new StatusChange(ConversationStatus.Open, StaffActor.Agent("staff-01")), now, now.AddDays(1));
                        break;
                }
                state.WakeIfSnoozeOver(now);
            }
            Assert.All(acknowledgements.Values, count => Assert.Equal(1, count));
            Assert.True(acknowledgements.Count <= state.ConversationNumber);
            Assert.Equal(state.Outbound.Count(o => o.Kind == OutboundKind.Acknowledgement), acknowledgements.Values.Sum());
        }, iter: 2_000);
    }
}
