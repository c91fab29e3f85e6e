using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Tests.Domain;

/// <summary>The outbox's rules on the citizen state, without a cluster: waiting, pacing, and what a failure means.</summary>
public sealed class OutboxRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly OutboxRules Rules = new(new RateLimitOptions { Burst = 2, Every = TimeSpan.FromSeconds(6) }, TimeSpan.FromSeconds(30));

    private static (CitizenState State, OutboundMessage Reply) Queued()
    {
        var state = new CitizenState();
        state.TryRecord(new InboundMessage("wamid.1", T0, "text", "Die Schaukel ist kaputt", "+4915112345678", "Erika"), T0, ConversationRules.For(new TenantOptions()));
        var reply = state.QueueReply(new StaffReply("r-1", "Danke, der Bauhof kommt.", StaffActor.Agent("staff-01")), T0);
        return (state, reply);
    }

    private static WhatsAppApiException Failure(int? code, bool transient, bool ambiguous = false) =>
        new("refused", 400, code, null, transient, isAmbiguous: ambiguous);

    private static OutboundMessage Current(CitizenState state, OutboundMessage message) => state.Outbound.Single(m => m.Id == message.Id);

    [Fact]
    public void A_fresh_message_goes_at_once_and_the_citizens_bucket_paces_the_ones_after_it()
    {
        var (state, reply) = Queued();
        Assert.Null(Rules.WaitBeforeSending(state, reply, null, T0));

        Rules.TakeToken(state, T0);
        Rules.TakeToken(state, T0);

        // Two a burst, one every 6 s after that.
        var wait = Rules.WaitBeforeSending(state, reply, null, T0);
        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromSeconds(5.9), TimeSpan.FromSeconds(6));
        Assert.Null(Rules.WaitBeforeSending(state, reply, null, T0.AddSeconds(6)));
    }

    [Fact]
    public void A_staff_numbers_conversation_is_not_paced()
    {
        var (state, reply) = Queued();
        state.MoveToStaffSection();
        for (var i = 0; i < 10; i++)
        {
            Rules.TakeToken(state, T0);
        }
        Assert.Null(Rules.WaitBeforeSending(state, reply, null, T0));
    }

    [Fact]
    public void An_ambiguous_attempt_stays_sending_and_waits_the_grace_from_when_it_may_have_reached_WhatsApp()
    {
        var (state, reply) = Queued();
        var sending = reply with { State = DeliveryState.Sending, SendingSince = T0 };
        state.Update(sending);

        var failure = Rules.RecordFailure(state, sending, Failure(null, transient: true, ambiguous: true), T0, jitter: 0.5);

        Assert.Equal((1, TimeSpan.FromSeconds(30), false), (failure.Attempts, failure.RetryIn, failure.OperatorAlert));
        Assert.Equal(DeliveryState.Sending, Current(state, reply).State);
        Assert.Equal(TimeSpan.FromSeconds(20), Rules.WaitBeforeSending(state, Current(state, reply), T0, T0.AddSeconds(10)));
        Assert.Null(Rules.WaitBeforeSending(state, Current(state, reply), T0, T0.AddSeconds(30)));
        // A grain activated later counts the grace from its activation.
        Assert.Equal(TimeSpan.FromSeconds(30), Rules.WaitBeforeSending(state, Current(state, reply), T0.AddMinutes(5), T0.AddMinutes(5)));
    }

    [Fact]
    public void A_throttled_citizen_backs_off_four_to_the_power_of_the_throttles_for_them_only()
    {
        var (state, reply) = Queued();
        var delays = new List<TimeSpan?>();
        for (var i = 0; i < 8; i++)
        {
            delays.Add(Rules.RecordFailure(state, Current(state, reply), Failure(MetaErrorCodes.RecipientThrottled, transient: true), T0, 0.5).RetryIn);
        }

        Assert.Equal([4, 16, 64, 256, 1024, 4096, 4096, 4096], delays.Select(d => d!.Value.TotalSeconds));
        Assert.Equal(DeliveryState.Queued, Current(state, reply).State);
        Assert.Equal(TimeSpan.FromSeconds(4096), Rules.WaitBeforeSending(state, Current(state, reply), null, T0));
        Assert.Equal(8, Current(state, reply).FailedAttempts);
    }

    [Fact]
    public void A_transient_failure_is_retried_with_jittered_backoff_of_at_most_a_minute_and_given_up_after_a_day()
    {
        var (state, reply) = Queued();
        var first = Rules.RecordFailure(state, reply, Failure(131000, transient: true), T0, jitter: 0);
        Assert.Equal(TimeSpan.FromSeconds(1.6), first.RetryIn);
        Assert.Equal(T0.AddSeconds(1.6), Current(state, reply).NextAttemptAt);
        Assert.Equal(TimeSpan.FromSeconds(0.6), Rules.WaitBeforeSending(state, Current(state, reply), null, T0.AddSeconds(1)));

        var high = Rules.RecordFailure(state, Current(state, reply), Failure(131000, transient: true), T0, jitter: 0.999);
        Assert.InRange(high.RetryIn!.Value, TimeSpan.FromSeconds(4.79), TimeSpan.FromSeconds(4.8));
        Assert.Equal(OutboxRules.MaxRetryDelay, Rules.RecordFailure(state, Current(state, reply) with { FailedAttempts = 20 }, Failure(131000, transient: true), T0, 0).RetryIn);

        var dayLater = T0 + OutboxRules.MaxSendAge + TimeSpan.FromSeconds(1);
        var givenUp = Rules.RecordFailure(state, Current(state, reply), Failure(131000, transient: true), dayLater, 0.5);
        Assert.Null(givenUp.RetryIn);
        Assert.Equal(DeliveryState.Failed, Current(state, reply).State);
        Assert.StartsWith($"Nach {givenUp.Attempts} Versuchen aufgegeben: ", Current(state, reply).FailureReason, StringComparison.Ordinal);
        Assert.Null(Rules.RecordFailure(state, reply with { FailedAttempts = OutboxRules.MaxSendAttempts - 1 }, Failure(131000, transient: true), T0, 0.5).RetryIn);
    }

    [Theory]
    [InlineData(190, true)]
    [InlineData(131026, false)]
    public void A_permanent_refusal_fails_the_message_with_its_reason_and_alerts_operators_only_for_permissions(int code, bool alert)
    {
        var (state, reply) = Queued();

        var failure = Rules.RecordFailure(state, reply, Failure(code, transient: false), T0, 0.5);

        Assert.Equal((null, alert), (failure.RetryIn, failure.OperatorAlert));
        var failed = Current(state, reply);
        Assert.Equal((DeliveryState.Failed, code, T0), (failed.State, failed.FailureCode, failed.StateChangedAt));
        Assert.Equal(MetaErrorTexts.Describe(code, null), failed.FailureReason);
        Assert.Null(state.NextToSend());
    }
}
