using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.Grains;

/// <summary>The citizen grain's conversation rules on a real (in-process) cluster: history, life cycle, floods, staff.</summary>
public sealed class ConversationGrainTests : IClassFixture<GrainTestCluster>
{
    private readonly GrainTestCluster _cluster;

    public ConversationGrainTests(GrainTestCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task A_long_history_is_archived_in_pages_and_read_back_newest_first_without_loss()
    {
        var citizen = _cluster.Citizen("DE.history1");
        var t0 = _cluster.Clock.GetUtcNow();
        for (var i = 0; i < 130; i++)
        {
            await citizen.ReceiveAsync(_cluster.Text($"Nachricht {i}", t0.AddSeconds(i), wamid: $"wamid.h{i}", phone: "+4915100000101"));
        }

        var snapshot = (await citizen.GetConversationAsync())!;
        Assert.True(snapshot.ArchivedPages >= 3, $"{snapshot.ArchivedPages} pages");
        Assert.True(snapshot.Inbound.Length + snapshot.Outbound.Length + snapshot.Events.Length <= CitizenState.HotLimit);
        Assert.Equal(snapshot.ArchivedPages, _cluster.History.PagesOf(CitizenKey.Create(GrainTestCluster.Tenant, "DE.history1")));

        var newestFirst = new List<string?>();
        newestFirst.AddRange(snapshot.Inbound.Reverse().Select(m => m.Text));
        for (var number = snapshot.ArchivedPages; number >= 1; number--)
        {
            var page = (await citizen.GetHistoryPageAsync(number))!;
            Assert.Equal(number, page.Number);
            newestFirst.AddRange(page.Inbound.Reverse().Select(m => m.Text));
        }
        Assert.Equal(Enumerable.Range(0, 130).Reverse().Select(i => $"Nachricht {i}"), newestFirst);
        Assert.Null(await citizen.GetHistoryPageAsync(snapshot.ArchivedPages + 1));
        Assert.Null(await citizen.GetHistoryPageAsync(0));
        // Archived or not, one acknowledgement for the conversation.
        await Eventually.Until(() => Task.FromResult(_cluster.Sender.TextsTo("+4915100000101")), t => t.Count > 0);
        Assert.Single(_cluster.Sender.TextsTo("+4915100000101"));
    }

    [Fact]
    public async Task When_history_storage_fails_messages_are_still_recorded_and_archived_once_it_recovers()
    {
        var key = CitizenKey.Create(GrainTestCluster.Tenant, "DE.historyoutage1");
        var citizen = _cluster.Citizen("DE.historyoutage1");
        var t0 = _cluster.Clock.GetUtcNow();
        _cluster.History.FailFor(key);
        for (var i = 0; i < 70; i++)
        {
            Assert.Equal(ReceiveOutcome.Recorded, await citizen.ReceiveAsync(_cluster.Text($"Nachricht {i}", t0.AddSeconds(i), phone: "+4915100000109")));
        }
        var during = (await citizen.GetConversationAsync())!;
        Assert.Equal((0, 70), (during.ArchivedPages, during.Inbound.Length));

        _cluster.History.Recover(key);
        await citizen.ReceiveAsync(_cluster.Text("Nachricht 70", t0.AddSeconds(70), phone: "+4915100000109"));

        var after = (await citizen.GetConversationAsync())!;
        // 71 messages and the acknowledgement: one page of 25 brings the hot state under its limit of 50.
        Assert.Equal(1, after.ArchivedPages);
        Assert.True(after.Inbound.Length + after.Outbound.Length + after.Events.Length <= CitizenState.HotLimit);
        var archived = 0;
        for (var number = 1; number <= after.ArchivedPages; number++)
        {
            archived += (await citizen.GetHistoryPageAsync(number))!.Inbound.Length;
        }
        Assert.Equal(71, archived + after.Inbound.Length);
    }

    [Fact]
    public async Task A_delivery_report_for_an_archived_message_updates_its_page()
    {
        var citizen = _cluster.Citizen("DE.latereport1");
        // WhatsApp's timestamps and the town's clock agree, as they do in production.
        var t0 = _cluster.Clock.GetUtcNow();
        await citizen.ReceiveAsync(_cluster.Text("Erste", t0, phone: "+4915100000102"));
        var ack = (await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent))!.Outbound[0];
        for (var i = 1; i < 80; i++)
        {
            await citizen.ReceiveAsync(_cluster.Text($"Nachricht {i}", t0.AddSeconds(i), phone: "+4915100000102"));
        }
        var snapshot = (await citizen.GetConversationAsync())!;
        Assert.DoesNotContain(snapshot.Outbound, o => o.Id == ack.Id);

        var outcome = await citizen.ReportDeliveryAsync(new DeliveryReport(ack.WhatsAppMessageId!, "read", DateTimeOffset.UtcNow, []));

        Assert.Equal(ReceiveOutcome.Recorded, outcome);
        var page = (await citizen.GetHistoryPageAsync(1))!;
        Assert.Equal(DeliveryState.Read, page.Outbound.Single(o => o.Id == ack.Id).State);
        Assert.Equal(ReceiveOutcome.Duplicate, await citizen.ReportDeliveryAsync(new DeliveryReport(ack.WhatsAppMessageId!, "read", DateTimeOffset.UtcNow, [])));
    }

    [Fact]
    public async Task The_grain_keeps_agents_out_of_the_staff_section_and_lets_them_take_only_what_nobody_has()
    {
        var staff = _cluster.Citizen("DE.staffmember2");
        await staff.ReceiveAsync(_cluster.Text("Plakate für das Marktfest?", phone: GrainTestCluster.StaffNumber));
        var agent = StaffActor.Agent("staff-01");
        var supervisor = StaffActor.Supervisor("chefin");

        // The staff number's conversation is the supervisors': every change by an agent is refused, none applied.
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => staff.ReplyAsync(new StaffReply("s-1", "Ja, bis Freitag.", agent)));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => staff.AddNoteAsync(new StaffNote("s-2", "intern", agent)));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => staff.AssignAsync("staff-01", agent));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => staff.MarkReadAsync(agent));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => staff.GetConsentAsync(agent));
        // A staff number that never wrote is known from the configuration.
        var silent = _cluster.Client.GetGrain<ICitizenGrain>(CitizenKey.Create(GrainTestCluster.Tenant, GrainTestCluster.StaffNumber.TrimStart('+')).GrainKey);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => silent.GetConsentAsync(agent));
        var snapshot = (await staff.GetConversationAsync())!;
        Assert.Empty(snapshot.Outbound);
        Assert.Null(snapshot.Summary.Assignee);
        // A supervisor works it (a note: a reply would reach the staff number, which another test counts on not).
        Assert.Equal("chefin", (await staff.AddNoteAsync(new StaffNote("s-3", "Plakate liegen im Bauhof.", supervisor))).Actor);

        // In the citizens' section an agent takes what nobody has and gives back their own; reassigning is refused.
        var citizen = _cluster.Citizen("DE.sectioncitizen2");
        await citizen.ReceiveAsync(_cluster.Text("Wann ist der Wertstoffhof offen?", phone: "+4915100000113"));
        Assert.Equal("staff-01", (await citizen.AssignAsync("staff-01", agent)).Assignee);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => citizen.AssignAsync("staff-02", StaffActor.Agent("staff-02")));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => citizen.AssignAsync("staff-02", agent));
        Assert.Equal("staff-01", (await citizen.GetConversationAsync())!.Summary.Assignee);
        Assert.Null((await citizen.AssignAsync(null, agent)).Assignee);
        Assert.Equal("staff-02", (await citizen.AssignAsync("staff-02", supervisor)).Assignee);
    }

    [Fact]
    public async Task A_staff_number_gets_no_acknowledgement_and_is_listed_in_the_staff_section()
    {
        var staff = _cluster.Citizen("DE.staffmember1");
        await staff.ReceiveAsync(_cluster.Text("Fotos vom Marktfest für Instagram", phone: GrainTestCluster.StaffNumber));
        var citizen = _cluster.Citizen("DE.sectioncitizen1");
        await citizen.ReceiveAsync(_cluster.Text("Hallo", phone: "+4915100000103"));
        await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound.Length == 1 && c.Outbound[0].State == DeliveryState.Sent);

        var conversation = (await staff.GetConversationAsync())!;
        Assert.Empty(conversation.Outbound);
        Assert.Empty(_cluster.Sender.TextsTo(GrainTestCluster.StaffNumber));
        Assert.Equal(InboxSection.Staff, conversation.Summary.Section);
        var inbox = _cluster.Client.GetGrain<ITenantInboxGrain>(GrainTestCluster.Tenant);
        var staffSection = await inbox.ListAsync(1000, null, InboxSection.Staff);
        var citizenSection = await inbox.ListAsync(1000, null, InboxSection.Citizens);
        Assert.Contains(staffSection.Conversations, s => s.CitizenKey.EndsWith("/DE.staffmember1", StringComparison.Ordinal));
        Assert.DoesNotContain(citizenSection.Conversations, s => s.CitizenKey.EndsWith("/DE.staffmember1", StringComparison.Ordinal));
        Assert.Contains(citizenSection.Conversations, s => s.CitizenKey.EndsWith("/DE.sectioncitizen1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_flood_is_stored_and_flagged_and_earns_no_further_acknowledgement()
    {
        var citizen = _cluster.Citizen("DE.flood1");
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(ReceiveOutcome.Recorded, await citizen.ReceiveAsync(_cluster.Text($"Spam {i}", t0.AddSeconds(i), phone: "+4915100000104")));
        }
        var flooded = (await citizen.GetConversationAsync())!;
        Assert.Equal(8, flooded.Inbound.Length);
        Assert.True(flooded.Summary.Flooding);
        Assert.Contains(flooded.Events, e => e.Kind == ConversationEventKind.FloodFlagged && e.Actor == ConversationEvent.SystemActor);

        await citizen.ChangeStatusAsync(new StatusChange(ConversationStatus.Resolved, StaffActor.Agent("staff-01")));
        await citizen.ReceiveAsync(_cluster.Text("Spam 9", t0.AddSeconds(9), phone: "+4915100000104"));

        var next = (await citizen.GetConversationAsync())!;
        Assert.Equal(ConversationStatus.New, next.Summary.Status);
        Assert.Equal(1, next.Outbound.Count(o => o.Kind == OutboundKind.Acknowledgement));
    }

    [Fact]
    public async Task A_citizen_writing_english_is_acknowledged_in_english()
    {
        var citizen = _cluster.Citizen("DE.english1");
        await citizen.ReceiveAsync(_cluster.Text("Hello, the swing on the playground is broken. Can you help?", phone: "+4915100000105"));

        var conversation = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound.Length == 1 && c.Outbound[0].State == DeliveryState.Sent);
        Assert.Equal("en", conversation!.Summary.Language);
        Assert.Equal(["Thank you for your message to Markt Goldbach!"], _cluster.Sender.TextsTo("+4915100000105"));
    }

    [Fact]
    public async Task Snooze_resolve_and_the_citizens_return_run_the_life_cycle_with_every_change_attributed()
    {
        var citizen = _cluster.Citizen("DE.lifecycle1");
        await citizen.ReceiveAsync(_cluster.Text("Der Mülleimer am Spielplatz quillt über", phone: "+4915100000106"));

        var snoozed = await citizen.ChangeStatusAsync(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-05")));
        Assert.Equal(ConversationStatus.Snoozed, snoozed.Status);
        // The clock stands on Wednesday 10 June 2026; the next working day starts on Thursday.
        Assert.Equal(new DateOnly(2026, 6, 11), DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(snoozed.SnoozedUntil!.Value, GoldbachActors.Grains.Domain.OfficeHours.Berlin).DateTime));

        await citizen.ReceiveAsync(_cluster.Text("Und jetzt liegt alles auf der Wiese", phone: "+4915100000106"));
        Assert.Equal(ConversationStatus.Open, (await citizen.GetConversationAsync())!.Summary.Status);

        await citizen.ChangeStatusAsync(new StatusChange(ConversationStatus.Resolved, StaffActor.Agent("staff-06")));
        await citizen.ReceiveAsync(_cluster.Text("Danke, sieht gut aus", DateTimeOffset.UtcNow.AddMinutes(1), phone: "+4915100000106"));

        var conversation = await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound.Count(o => o.State == DeliveryState.Sent) == 2);
        Assert.Equal(2, conversation!.Outbound.Count(o => o.Kind == OutboundKind.Acknowledgement));
        var statusChanges = conversation.Events.Where(e => e.Kind == ConversationEventKind.StatusChanged).Select(e => (e.Actor, e.To)).ToList();
        Assert.Equal("staff-05", statusChanges[0].Actor);
        Assert.StartsWith("Snoozed until", statusChanges[0].To, StringComparison.Ordinal);
        Assert.Equal([(ConversationEvent.SystemActor, "Open"), ("staff-06", "Resolved")], statusChanges.Skip(1));
        Assert.Equal(2, conversation.Events.Count(e => e.Kind == ConversationEventKind.Started));
    }

    [Fact]
    public async Task A_snoozed_conversation_opens_itself_at_its_time_even_when_its_grain_was_deactivated()
    {
        var citizen = _cluster.Citizen("DE.snoozewake1");
        await citizen.ReceiveAsync(_cluster.Text("Wann wird der Grillplatz wieder geöffnet?", phone: "+4915100000108"));
        var until = _cluster.Clock.GetUtcNow().AddSeconds(3);
        await citizen.ChangeStatusAsync(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-01"), until));
        await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // Nothing calls the citizen: the inbox shows it open again once the reminder woke the grain.
        var inbox = _cluster.Client.GetGrain<ITenantInboxGrain>(GrainTestCluster.Tenant);
        var page = await Eventually.Until(
            () => inbox.ListAsync(1000, null),
            p => p.Conversations.Any(s => s.CitizenKey.EndsWith("/DE.snoozewake1", StringComparison.Ordinal) && s.Status == ConversationStatus.Open),
            TimeSpan.FromSeconds(30));
        var summary = page.Conversations.Single(s => s.CitizenKey.EndsWith("/DE.snoozewake1", StringComparison.Ordinal));
        Assert.Equal(ConversationStatus.Open, summary.Status);
        Assert.Null(summary.SnoozedUntil);
        var woke = (await citizen.GetConversationAsync())!.Events[^1];
        Assert.Equal((ConversationEvent.SystemActor, "Open"), (woke.Actor, woke.To));
        Assert.Equal(until, woke.At);
    }

    [Fact]
    public async Task Staff_choose_only_the_tenants_categories_and_their_choice_is_attributed()
    {
        var citizen = _cluster.Citizen("DE.category1");
        await citizen.ReceiveAsync(_cluster.Text("Im Park ist es sehr laut", phone: "+4915100000107"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => citizen.SetCategoryAsync("Katzen", StaffActor.Agent("staff-01")));
        Assert.Contains("Parkverstoß", error.Message, StringComparison.Ordinal);
        var summary = await citizen.SetCategoryAsync("Lärmbelästigung", StaffActor.Agent("staff-01"));

        Assert.Equal("Lärmbelästigung", summary.Category);
        var change = (await citizen.GetConversationAsync())!.Events.Last(e => e.Kind == ConversationEventKind.CategoryChanged);
        Assert.Equal(("staff-01", "Lärmbelästigung"), (change.Actor, change.To));
        await Assert.ThrowsAsync<ArgumentException>(() => citizen.ChangeStatusAsync(new StatusChange(ConversationStatus.New, StaffActor.Agent("staff-01"))));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _cluster.Citizen("DE.nobody2").SetCategoryAsync("Sonstiges", StaffActor.Agent("staff-01")));
    }
}

/// <summary>On its own cluster: moves the town's clock.</summary>
public sealed class OutOfHoursGrainTests : IClassFixture<GrainTestCluster>
{
    private readonly GrainTestCluster _cluster;

    public OutOfHoursGrainTests(GrainTestCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task On_a_sunday_the_acknowledgement_names_when_the_town_hall_answers()
    {
        _cluster.Clock.MoveTo(new DateTimeOffset(2026, 6, 14, 10, 0, 0, TimeSpan.Zero)); // Sunday, 12:00 in Goldbach
        var citizen = _cluster.Citizen("DE.sunday1");

        await citizen.ReceiveAsync(_cluster.Text("Die Straßenlaterne ist aus", phone: "+4915100000201"));

        await Eventually.Until(citizen.GetConversationAsync, c => c!.Outbound[0].State == DeliveryState.Sent);
        Assert.Equal(["Danke! Wir sind am Montag, 15. Juni ab 0:00 Uhr wieder für Sie da."], _cluster.Sender.TextsTo("+4915100000201"));
    }
}
