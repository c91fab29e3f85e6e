using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

/// <summary>Retention periods, the erasure plan and the export's view of staff (pure logic, no cluster).</summary>
public sealed class DataProtectionStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 8, 0, 0, TimeSpan.Zero);
    private static readonly CitizenKey Key = CitizenKey.Create("106540352242922", "DE.4711abc");

    private static CitizenState Resolved(string? category, DateTimeOffset at)
    {
        var state = new CitizenState();
        Assert.True(state.TryRecord(new InboundMessage("wamid.1", at.AddHours(-1), "text", "Falschparker Ringstraße", "+4915112345678", "Erika"), at.AddHours(-1)));
        if (category is not null)
        {
            state.ChooseCategory(category, "sb-1", at.AddMinutes(-30));
        }
        state.AddNote(new StaffNote("n1", "Bauhof informiert", StaffActor.Agent("sb-1")), at.AddMinutes(-20));
        state.Assign("sb-2", "sb-1", at.AddMinutes(-10));
        Assert.True(state.ChangeStatus(new StatusChange(ConversationStatus.Resolved, StaffActor.Agent("sb-1")), at, at.AddDays(1)));
        return state;
    }

    [Fact]
    public void A_citizen_is_active_since_an_erasure_only_by_what_they_wrote_or_joined_from_then_on()
    {
        var state = Resolved("Parkverstoß", Now);
        Assert.True(state.ActiveSince(Now.AddHours(-1)));
        Assert.False(state.ActiveSince(Now.AddHours(-1).AddSeconds(1)));
        // Staff's notes and status changes are not the citizen's doing.
        Assert.False(state.ActiveSince(Now.AddMinutes(-40)));
        state.Memberships.Add(new ListMembership("kitzrettung", "de", Now.AddMinutes(5)));
        Assert.True(state.ActiveSince(Now.AddMinutes(5)));
        Assert.False(state.ActiveSince(Now.AddMinutes(6)));
    }

    [Fact]
    public void A_message_of_the_erasures_own_second_counts_as_later_but_a_membership_joined_before_it_in_that_second_does_not()
    {
        var erasedAt = Now.AddMilliseconds(700);
        // WhatsApp's whole seconds: a message stamped in the erasure's second may have been written after it.
        Assert.False(CitizenState.WrittenBefore(Now, erasedAt));
        Assert.True(CitizenState.WrittenBefore(Now.AddSeconds(-1), erasedAt));
        // The grain clock's exact time: joined 500 ms before the erasure is before it.
        var state = new CitizenState();
        state.Memberships.Add(new ListMembership("kitzrettung", "de", Now.AddMilliseconds(200)));
        Assert.False(state.ActiveSince(erasedAt));
        Assert.True(state.ActiveSince(Now.AddMilliseconds(200)));
    }

    [Fact]
    public void Tombstones_live_for_the_backup_horizon_and_never_less_than_ten_days()
    {
        Assert.Equal(TimeSpan.FromDays(35), new BackupOptions().TombstoneLifetime);
        Assert.Equal(TimeSpan.FromDays(90), new BackupOptions { RetentionDays = 90 }.TombstoneLifetime);
        Assert.Equal(TimeSpan.FromDays(10), new BackupOptions { RetentionDays = 3 }.TombstoneLifetime);
        var invalid = new GoldbachOptionsValidator().Validate(null, new GoldbachOptions
        {
            Tenants = { ["106540352242922"] = new TenantOptions { Name = "Markt Goldbach", AcknowledgementText = "Danke" } },
            Backups = new BackupOptions { RetentionDays = -1 },
        });
        Assert.Contains(invalid.Failures!, f => f.StartsWith("Goldbach:Backups:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_category_has_its_own_period_else_the_tenants_and_zero_keeps_for_good()
    {
        var rules = new RetentionRules(new RetentionOptions { ResolvedConversationDays = 180, CategoryDays = { ["Parkverstoß"] = 30, ["Spielplatz"] = 0 } });
        Assert.Equal(TimeSpan.FromDays(30), rules.PeriodFor("Parkverstoß"));
        Assert.Equal(TimeSpan.FromDays(180), rules.PeriodFor("Lärmbelästigung"));
        Assert.Equal(TimeSpan.FromDays(180), rules.PeriodFor(null));
        Assert.Null(rules.PeriodFor("Spielplatz"));
        Assert.True(rules.IsDue("Parkverstoß", Now, Now.AddDays(30)));
        Assert.False(rules.IsDue("Parkverstoß", Now, Now.AddDays(29.9)));
        Assert.False(rules.IsDue("Spielplatz", Now, Now.AddYears(10)));
        Assert.Equal(Now.AddDays(-730), new RetentionRules(new RetentionOptions()).AuditCutoff(Now));
        Assert.Null(new RetentionRules(new RetentionOptions { AuditEntryDays = 0 }).AuditCutoff(Now));
    }

    [Fact]
    public void A_categorys_period_may_be_given_as_a_list_entry_which_wins_over_the_keyed_form()
    {
        // The form Kubernetes can carry: ConfigMap keys allow no ß (Goldbach__Tenants__…__Retention__Categories__0__Category).
        var rules = new RetentionRules(new RetentionOptions
        {
            ResolvedConversationDays = 180,
            CategoryDays = { ["Parkverstoß"] = 60, ["Spielplatz"] = 90 },
            Categories = { new CategoryRetentionOptions { Category = "Parkverstoß", Days = 30 }, new CategoryRetentionOptions { Category = "Lärmbelästigung", Days = 0 } },
        });
        Assert.Equal(TimeSpan.FromDays(30), rules.PeriodFor("Parkverstoß"));
        Assert.Equal(TimeSpan.FromDays(90), rules.PeriodFor("Spielplatz"));
        Assert.Null(rules.PeriodFor("Lärmbelästigung"));
        Assert.Equal(TimeSpan.FromDays(180), rules.PeriodFor("Sonstiges"));
    }

    [Fact]
    public void The_report_counts_resolved_conversations_per_category_and_says_when_the_next_is_due()
    {
        var rules = new RetentionRules(new RetentionOptions { ResolvedConversationDays = 180, CategoryDays = { ["Parkverstoß"] = 30 } });
        ConversationSummary Summary(string key, ConversationStatus status, string? category, DateTimeOffset? resolved) =>
            new() { CitizenKey = $"106540352242922/{key}", Status = status, Category = category, ResolvedAt = resolved };
        var items = rules.Assess(
        [
            Summary("1001", ConversationStatus.Resolved, "Parkverstoß", Now.AddDays(-40)),
            Summary("1002", ConversationStatus.Resolved, "Parkverstoß", Now.AddDays(-10)),
            Summary("1003", ConversationStatus.Resolved, null, Now.AddDays(-1)),
            Summary("1004", ConversationStatus.Open, "Parkverstoß", null),
        ], Now);
        var parking = Assert.Single(items, i => i.Category == "Parkverstoß");
        Assert.Equal((30, 2, 1, Now.AddDays(20)), (parking.PeriodDays, parking.Resolved, parking.Due, parking.NextDueAt));
        var other = Assert.Single(items, i => i.Category == "Sonstiges");
        Assert.Equal((180, 1, 0), (other.PeriodDays, other.Resolved, other.Due));
    }

    [Fact]
    public void The_resolution_time_is_the_last_status_change_and_a_new_message_makes_the_conversation_unresolved()
    {
        var state = Resolved("Parkverstoß", Now);
        Assert.Equal(Now, state.ResolvedAt);
        Assert.Equal(Now, state.ToSummary(Key).ResolvedAt);
        Assert.True(state.TryRecord(new InboundMessage("wamid.2", Now.AddDays(2), "text", "Schon wieder", null, null), Now.AddDays(2)));
        Assert.Null(state.ResolvedAt);
    }

    [Fact]
    public void The_erasure_plan_names_every_identity_and_file_and_keeps_only_consent_when_asked()
    {
        var state = Resolved(null, Now);
        state.FormerKeys.Add("106540352242922/DE.old1");
        state.Join(new ConsentRecord("kitzrettung", ConsentAction.Joined, Now, ConsentChannel.Keyword, null, "de", null));
        // A list the citizen left (and that may since have gone from the configuration) is swept as well.
        state.Join(new ConsentRecord("sommerfest-2025", ConsentAction.Joined, Now.AddDays(-300), ConsentChannel.Keyword, null, "de", null));
        state.Leave(new ConsentRecord("sommerfest-2025", ConsentAction.Left, Now.AddDays(-200), ConsentChannel.Keyword, null, null, null));
        var erasure = new CitizenErasure("e1", "chefin", ErasureReason.Retention, Now);

        var full = state.BeginErasure(Key, erasure, keepConsent: false, []);
        Assert.Equal([Key.GrainKey, "106540352242922/DE.old1", "106540352242922/4915112345678"], full.Erasure!.Keys.ToArray());
        Assert.Equal(["kitzrettung", "sommerfest-2025"], full.Erasure.ListIds.Order(StringComparer.Ordinal));
        Assert.Equal((1, 0), (full.Erasure.Messages, full.Erasure.HistoryPages));
        Assert.False(full.Exists);
        Assert.Null(full.PhoneNumber);
        Assert.Empty(full.Memberships);
        Assert.Empty(full.Events);

        var kept = state.BeginErasure(Key, erasure, keepConsent: true, []);
        Assert.Equal("+4915112345678", kept.PhoneNumber);
        Assert.Equal("kitzrettung", Assert.Single(kept.Memberships).ListId);
        Assert.Equal(3, kept.ConsentHistory.Count);
        Assert.Null(kept.ProfileName);
        Assert.Empty(kept.Inbound);
        Assert.Empty(kept.Events);
        Assert.True(kept.Revision > state.Revision);
    }

    [Fact]
    public void The_export_has_the_whole_history_and_names_staff_only_as_the_administration()
    {
        var state = Resolved("Parkverstoß", Now);
        state.QueueReply(new StaffReply("r1", "Wir kümmern uns.", StaffActor.Agent("sb-1")), Now.AddMinutes(-5));
        var archived = new HistoryPage(1, [new InboundMessage("wamid.0", Now.AddDays(-3), "text", "Ganz alt", null, null)], [], []);

        var export = state.ToExport(Key, [archived], Now);
        Assert.Equal(["Ganz alt", "Falschparker Ringstraße"], export.Inbound.Select(m => m.Text));
        Assert.Equal(["DE.4711abc", "4915112345678"], [export.Identity, .. export.FormerIdentities]);
        Assert.Equal(CitizenState.Administration, Assert.Single(export.Outbound, m => m.Kind == OutboundKind.StaffReply).SentBy);
        Assert.DoesNotContain(export.Events, e => e.Actor is "sb-1" or "sb-2" || e.To is "sb-2");
        Assert.Contains(export.Events, e => e.Kind == ConversationEventKind.Note && e.To == "Bauhof informiert");
        Assert.Null(export.Summary.Assignee);
    }
}
