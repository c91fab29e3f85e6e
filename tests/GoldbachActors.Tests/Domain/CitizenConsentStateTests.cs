using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;

namespace GoldbachActors.Tests.Domain;

/// <summary>The citizen's list memberships, consent history and broadcast parts (pure state, no cluster).</summary>
public sealed class CitizenConsentStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 8, 0, 0, TimeSpan.Zero);

    private static ConsentRecord Joined(string list, string language, DateTimeOffset at) =>
        new(list, ConsentAction.Joined, at, ConsentChannel.Keyword, null, language, null);

    private static CitizenState Writing(DateTimeOffset at)
    {
        var state = new CitizenState();
        Assert.True(state.TryRecord(new InboundMessage("wamid.1", at, "text", "Hallo", "+4915112345678", "Erika"), at));
        return state;
    }

    [Fact]
    public void Joining_twice_in_the_same_language_records_once_and_a_new_language_replaces_the_old()
    {
        var state = new CitizenState();
        Assert.True(state.Join(Joined("kitzrettung", "de", Now)));
        Assert.False(state.Join(Joined("kitzrettung", "de", Now.AddMinutes(1))));
        Assert.True(state.Join(Joined("kitzrettung", "en", Now.AddMinutes(2))));
        var membership = Assert.Single(state.Memberships);
        Assert.Equal(("en", Now), (membership.Language, membership.Since));
        Assert.Equal(2, state.ConsentHistory.Count);
    }

    [Fact]
    public void Leaving_keeps_the_history_and_leaving_a_list_one_is_not_on_changes_nothing()
    {
        var state = new CitizenState();
        state.Join(Joined("ukraine-info", "uk", Now));
        var revision = state.Revision;
        Assert.False(state.Leave(new ConsentRecord("kitzrettung", ConsentAction.Left, Now, ConsentChannel.Keyword, null, null, null)));
        Assert.Equal(revision, state.Revision);
        Assert.True(state.Leave(new ConsentRecord("ukraine-info", ConsentAction.Left, Now.AddDays(1), ConsentChannel.Staff, "chefin", null, null)));
        Assert.Empty(state.Memberships);
        Assert.Equal([ConsentAction.Joined, ConsentAction.Left], state.ConsentHistory.Select(r => r.Action));
        Assert.Equal("uk", state.ConsentHistory[1].Language);
    }

    [Fact]
    public void Inside_the_window_a_broadcast_is_free_text_and_its_part_is_reported_by_its_state()
    {
        var state = Writing(Now);
        state.QueueBroadcast("b1", "Sirenentest am Samstag", null, Now.AddHours(1));
        Assert.Equal(RecipientState.Queued, state.BroadcastDeliveryOf("b1")!.State);
        var text = Assert.Single(state.Outbound, m => m.BroadcastId == "b1");
        Assert.Equal((OutboundKind.Broadcast, DeliveryState.Queued), (text.Kind, text.State));
        state.Update(text with { State = DeliveryState.Delivered, WhatsAppMessageId = "wamid.out" });
        Assert.Equal(RecipientState.Delivered, state.BroadcastDeliveryOf("b1")!.State);
        Assert.Null(state.BroadcastDeliveryOf("b2"));
    }

    [Fact]
    public void Outside_the_window_the_template_goes_first_and_the_held_text_follows_the_citizens_answer()
    {
        var state = new CitizenState();
        var template = new OutboundTemplate("neuigkeiten_liste", "de", ["Kitzrettung"]);
        state.QueueBroadcast("b1", "Morgen 5 Uhr Einsatz", template, Now);
        Assert.Equal([(OutboundKind.BroadcastTemplate, DeliveryState.Queued), (OutboundKind.Broadcast, DeliveryState.WaitingForWindow)],
            state.Outbound.Select(m => (m.Kind, m.State)));
        var delivery = state.BroadcastDeliveryOf("b1")!;
        Assert.True(delivery.AsTemplate);
        Assert.Equal(RecipientState.Queued, delivery.State);

        // The template arrived; the citizen answers: the answer is a reply to the broadcast, and the text goes out.
        state.Update(state.Outbound[0] with { State = DeliveryState.Read, WhatsAppMessageId = "wamid.t" });
        var answer = new InboundMessage("wamid.a", Now.AddHours(2), "text", "Bin dabei", null, null);
        Assert.Equal("b1", state.BroadcastAnsweredBy(answer));
        Assert.True(state.TryRecord(answer, Now.AddHours(2)));
        Assert.Equal(DeliveryState.Queued, state.Outbound[1].State);
        Assert.Equal(RecipientState.Queued, state.BroadcastDeliveryOf("b1")!.State);
        // Once the citizen has written, a later message is no reply to the broadcast any more.
        Assert.Null(state.BroadcastAnsweredBy(new InboundMessage("wamid.b", Now.AddHours(3), "text", "Noch was", null, null)));
    }

    [Fact]
    public void A_quoted_broadcast_message_marks_the_reply_even_after_other_messages()
    {
        var state = Writing(Now);
        state.QueueBroadcast("b1", "Infoabend", null, Now);
        state.Update(state.Outbound.Single() with { State = DeliveryState.Sent, WhatsAppMessageId = "wamid.info" });
        state.TryRecord(new InboundMessage("wamid.2", Now.AddMinutes(5), "text", "Danke", null, null), Now.AddMinutes(5));
        var quoting = new InboundMessage("wamid.3", Now.AddMinutes(9), "text", "Wo genau?", null, null) { Context = new MessageContext("wamid.info", false, false) };
        Assert.Equal("b1", state.BroadcastAnsweredBy(quoting));
        Assert.Null(state.BroadcastAnsweredBy(new InboundMessage("wamid.4", Now.AddDays(8), "text", "Hallo", null, null)));
    }

    [Fact]
    public void A_handover_brings_memberships_consent_and_a_held_broadcast_which_goes_out_when_the_window_is_open()
    {
        var byNumber = new CitizenState();
        byNumber.Join(new ConsentRecord("kitzrettung", ConsentAction.Joined, Now, ConsentChannel.Staff, "chefin", "de", "am Telefon"));
        byNumber.QueueBroadcast("b1", "Einsatz morgen", new OutboundTemplate("neuigkeiten_liste", "de", []), Now);
        var handover = byNumber.ToHandover();

        var keeper = Writing(Now.AddHours(1));
        keeper.Absorb(handover, Now.AddHours(1));
        Assert.Equal("kitzrettung", Assert.Single(keeper.Memberships).ListId);
        Assert.Equal("am Telefon", Assert.Single(keeper.ConsentHistory).Note);
        Assert.Contains(keeper.Outbound, m => m.Kind == OutboundKind.Broadcast && m.State == DeliveryState.Queued);
        Assert.True(handover.Inbound.IsEmpty);
        Assert.False(new CitizenState().ToHandover().Memberships.Any());
        Assert.True(new CitizenState().IsBlank);
        Assert.False(byNumber.IsBlank);
    }

    [Fact]
    public void The_marketing_preference_is_recorded_once_per_change()
    {
        var state = new CitizenState();
        Assert.True(state.SetMarketingStopped(true, Now));
        Assert.False(state.SetMarketingStopped(true, Now.AddMinutes(1)));
        Assert.True(state.SetMarketingStopped(false, Now.AddDays(1)));
        Assert.Equal([(ConsentAction.Left, ConsentChannel.WhatsAppPreference), (ConsentAction.Joined, ConsentChannel.WhatsAppPreference)],
            state.ConsentHistory.Select(r => (r.Action, r.Channel)));
    }

    [Fact]
    public void A_member_gets_their_language_or_the_first_one()
    {
        var content = new BroadcastContent(ImmutableDictionary<string, string>.Empty.Add("uk", "Привіт").Add("de", "Hallo"), null, []);
        Assert.Equal(("uk", "Привіт"), content.TextFor("uk"));
        Assert.Equal(("de", "Hallo"), content.TextFor("en"));
        Assert.Null(new BroadcastContent(ImmutableDictionary<string, string>.Empty, "vorlage", []).TextFor("de"));
    }
}
