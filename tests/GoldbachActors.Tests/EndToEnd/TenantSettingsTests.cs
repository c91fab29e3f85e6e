using System.Globalization;
using System.Text.Json.Nodes;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// A system of its own with two towns, whose settings admins change through the staff API while it runs: changes
/// reach the silo without a restart, stale saves conflict, invalid ones save nothing, and nobody but the town's own
/// admins reads or changes them.
/// </summary>
public sealed class TenantSettingsSystem : LocalSystemHost, IAsyncLifetime
{
    public const string OtherTenant = "200000000000001";

    public TenantSettingsSystem()
        : base(storageOnDisk: false)
    {
        string[] settings =
        [
            $"--Goldbach:Tenants:{OtherTenant}:Name=Gemeinde Nachbarort",
            $"--Goldbach:Tenants:{OtherTenant}:AcknowledgementText=Danke, Nachbarort.",
            "--Goldbach:Settings:PollInterval=00:00:00.500",
        ];
        SiloSettings.AddRange(settings);
        GatewaySettings.AddRange(settings);
    }

    public Task InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}

public sealed class TenantSettingsTests(TenantSettingsSystem system) : IClassFixture<TenantSettingsSystem>
{
    private static readonly string Parent = $"tenants/{LocalSystemHost.Tenant}";

    private StaffService.StaffServiceClient Admin(string tenant = LocalSystemHost.Tenant) => system.Staff("admin-01", StaffRoles.Admin, tenant);

    private async Task<(long Version, JsonObject Document)> ReadAsync()
    {
        var current = await Admin().GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = Parent });
        return (current.Version, JsonNode.Parse(current.DocumentJson)!.AsObject());
    }

    private async Task<UpdateTenantSettingsResponse> SaveAsync(Action<JsonObject> change)
    {
        var (version, document) = await ReadAsync();
        change(document);
        return await Admin().UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { Parent = Parent, Version = version, DocumentJson = document.ToJsonString() });
    }

    [Fact]
    public async Task A_new_acknowledgement_text_reaches_the_next_citizen_within_seconds_without_a_restart_and_is_in_the_history()
    {
        const string text = "Danke für Ihre Nachricht! Der Markt Goldbach antwortet bald. (neu)";
        var saved = await SaveAsync(d =>
        {
            d["AcknowledgementText"] = text;
            d.Remove("OfficeHours");
        });
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));

        var ack = await system.FirstChangedAcknowledgementAsync("771", t => t == text, TimeSpan.FromSeconds(10));
        Assert.True(ack.Delay < TimeSpan.FromSeconds(10));

        var history = await Admin().ListTenantSettingsChangesAsync(new ListTenantSettingsChangesRequest { Parent = Parent });
        var change = history.Changes.First(c => c.Version == saved.Settings.Version);
        Assert.Equal("admin-01", change.StaffId);
        var section = Assert.Single(change.Sections, s => s.Section == "AcknowledgementText");
        Assert.Contains(text, section.AfterJson, StringComparison.Ordinal);
        Assert.NotEqual(section.BeforeJson, section.AfterJson);
    }

    [Fact]
    public async Task A_message_on_a_newly_closed_day_gets_the_out_of_hours_text_naming_the_next_opening()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, berlin).DateTime);
        var saved = await SaveAsync(d =>
        {
            d["OutOfHoursAcknowledgementText"] = "Das Rathaus ist geschlossen. Wir melden uns ab {next}.";
            d["OfficeHours"] = new JsonObject(Enum.GetNames<DayOfWeek>().Select(day => KeyValuePair.Create(day, (JsonNode?)JsonValue.Create("00:00-23:59"))));
            d["ClosedDays"] = new JsonArray(JsonValue.Create(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        });
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));

        var ack = await system.FirstChangedAcknowledgementAsync("772", t => t?.StartsWith("Das Rathaus ist geschlossen.", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10));
        var preview = await Admin().PreviewAcknowledgementAsync(new PreviewAcknowledgementRequest { Parent = Parent });
        Assert.False(preview.Open);
        Assert.NotEmpty(preview.NextOpening);
        Assert.Equal($"Das Rathaus ist geschlossen. Wir melden uns ab {preview.NextOpening}.", ack.Text);
        Assert.DoesNotContain(today.ToString("d. MMMM", CultureInfo.GetCultureInfo("de-DE")), preview.NextOpening, StringComparison.Ordinal);
        Assert.Equal(ack.Text, preview.Texts.Single(t => t.Language == "de").Text);
    }

    [Fact]
    public async Task The_second_of_two_saves_on_the_same_version_conflicts_and_sees_the_newer_version()
    {
        var (version, document) = await ReadAsync();
        document["CannedReplies"] = new JsonArray(new JsonObject { ["Title"] = "Erste", ["Text"] = "Erste Fassung" });
        var first = await Admin().UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { Parent = Parent, Version = version, DocumentJson = document.ToJsonString() });
        Assert.True(first.Saved);

        document["CannedReplies"] = new JsonArray(new JsonObject { ["Title"] = "Zweite", ["Text"] = "Zweite Fassung" });
        var second = await Assert.ThrowsAsync<RpcException>(() => system.Staff("admin-02", StaffRoles.Admin)
            .UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { Parent = Parent, Version = version, DocumentJson = document.ToJsonString() }).ResponseAsync);
        Assert.Equal(StatusCode.Aborted, second.StatusCode);
        Assert.Contains($"jetzt Version {first.Settings.Version}", second.Status.Detail, StringComparison.Ordinal);

        var (now, stored) = await ReadAsync();
        Assert.Equal(first.Settings.Version, now);
        Assert.Equal("Erste", stored["CannedReplies"]![0]!["Title"]!.GetValue<string>());
        // The staff API's canned replies follow at once.
        var replies = await system.Staff().ListCannedRepliesAsync(new ListCannedRepliesRequest { Parent = Parent });
        Assert.Equal("Erste", Assert.Single(replies.CannedReplies).Title);
    }

    [Fact]
    public async Task Invalid_times_languages_and_a_keyword_of_two_lists_get_field_errors_and_save_nothing()
    {
        var (before, _) = await ReadAsync();
        var refused = await SaveAsync(d =>
        {
            d["OfficeHours"] = new JsonObject { ["Monday"] = "25:00-12:00", ["Tuesday"] = "08:00-12:00, 14:00-18:00" };
            d["Languages"] = new JsonObject { ["english"] = new JsonObject { ["AcknowledgementText"] = "Thanks" } };
            d["Lists"]!["ukraine-info"]!["Keywords"]!["de"] = new JsonArray("START KITZ");
            d["FloodLimit"] = new JsonObject { ["Burst"] = 0, ["Every"] = "00:00:30" };
        });

        Assert.False(refused.Saved);
        var fields = refused.Errors.ToDictionary(e => e.Field, e => e.Message);
        Assert.Contains("„25:00-12:00“", fields["OfficeHours:Monday"], StringComparison.Ordinal);
        Assert.DoesNotContain("OfficeHours:Tuesday", fields.Keys);
        Assert.Contains("Sprachkürzel", fields["Languages:english"], StringComparison.Ordinal);
        Assert.Contains("kitzrettung", fields["Lists:ukraine-info:Keywords:de"], StringComparison.Ordinal);
        Assert.Contains("1 bis 10000", fields["FloodLimit:Burst"], StringComparison.Ordinal);
        var (after, document) = await ReadAsync();
        Assert.Equal(before, after);
        Assert.Equal("START KITZ", document["Lists"]!["kitzrettung"]!["Keywords"]!["de"]![0]!.GetValue<string>());

        var triage = await Admin().TestTriageAsync(new TestTriageRequest { Parent = Parent, Text = "Auf dem Spielplatz brennt es!" });
        Assert.True(triage.Urgent);
        Assert.Empty(triage.Errors);
        var broken = await Admin().TestTriageAsync(new TestTriageRequest { Parent = Parent, Text = "x", DocumentJson = "{\"OfficeHours\":{\"Montag\":\"8-12\"}}" });
        Assert.NotEmpty(broken.Errors);
    }

    [Fact]
    public async Task Agents_supervisors_and_another_towns_admin_can_neither_read_nor_change_the_settings()
    {
        var (version, document) = await ReadAsync();
        var json = document.ToJsonString();
        IEnumerable<(string Call, Func<StaffService.StaffServiceClient, Task> Run)> calls =
        [
            ("Get", c => c.GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = Parent }).ResponseAsync),
            ("Update", c => c.UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { Parent = Parent, Version = version, DocumentJson = json }).ResponseAsync),
            ("History", c => c.ListTenantSettingsChangesAsync(new ListTenantSettingsChangesRequest { Parent = Parent }).ResponseAsync),
            ("Preview", c => c.PreviewAcknowledgementAsync(new PreviewAcknowledgementRequest { Parent = Parent }).ResponseAsync),
            ("TestTriage", c => c.TestTriageAsync(new TestTriageRequest { Parent = Parent, Text = "Feuer" }).ResponseAsync),
        ];
        StaffService.StaffServiceClient[] refusedCallers =
        [
            system.Staff("agent-01", StaffRoles.Agent),
            system.Staff("supervisor-01", StaffRoles.Supervisor),
            Admin(TenantSettingsSystem.OtherTenant),
        ];
        foreach (var caller in refusedCallers)
        {
            foreach (var (call, run) in calls)
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() => run(caller));
                Assert.True(refused.StatusCode == StatusCode.PermissionDenied, $"{call}: {refused.StatusCode}");
            }
        }
        // The other town's admin has their own settings, and nothing of ours in them.
        var theirs = await Admin(TenantSettingsSystem.OtherTenant).GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = $"tenants/{TenantSettingsSystem.OtherTenant}" });
        Assert.Contains("Nachbarort", theirs.DocumentJson, StringComparison.Ordinal);
        Assert.DoesNotContain("Goldbach", theirs.DocumentJson, StringComparison.Ordinal);
        var (unchanged, _) = await ReadAsync();
        Assert.Equal(version, unchanged);
    }

    [Fact]
    public async Task An_operator_creates_a_town_whose_admin_alone_then_sees_it_and_nobody_else_creates_one()
    {
        const string created = "300000000000001";
        var operatorClient = system.Staff("betrieb-01", StaffRoles.Operator);
        var request = new CreateTenantRequest { PhoneNumberId = created, Name = "Gemeinde Neudorf", AcknowledgementText = "Danke, Neudorf.", FirstAdmin = "neudorf-admin" };

        var first = await operatorClient.CreateTenantAsync(request);
        Assert.Equal(1, first.Version);
        var again = await Assert.ThrowsAsync<RpcException>(() => operatorClient.CreateTenantAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        var configured = await Assert.ThrowsAsync<RpcException>(() => operatorClient.CreateTenantAsync(
            new CreateTenantRequest { PhoneNumberId = LocalSystemHost.Tenant, Name = "x", AcknowledgementText = "y", FirstAdmin = "z" }).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, configured.StatusCode);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => operatorClient.CreateTenantAsync(
            new CreateTenantRequest { PhoneNumberId = "300000000000002", Name = "", AcknowledgementText = "y", FirstAdmin = "z" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("Name", invalid.Status.Detail, StringComparison.Ordinal);

        // Nobody else creates towns, and the operator reads no town's conversations or settings.
        foreach (var role in new[] { StaffRoles.Agent, StaffRoles.Supervisor, StaffRoles.Admin })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => system.Staff("x", role).CreateTenantAsync(
                new CreateTenantRequest { PhoneNumberId = "300000000000003", Name = "x", AcknowledgementText = "y", FirstAdmin = "z" }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            operatorClient.ListConversationsAsync(new ListConversationsRequest { Parent = Parent }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            operatorClient.GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = Parent }).ResponseAsync)).StatusCode);

        // The new town's admin: served by the gateway at once, and by the silo (GetTenant) once it polled.
        var admin = system.Staff("neudorf-admin", StaffRoles.Admin, created);
        var settings = await admin.GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = $"tenants/{created}" });
        Assert.Contains("Gemeinde Neudorf", settings.DocumentJson, StringComparison.Ordinal);
        var history = await admin.ListTenantSettingsChangesAsync(new ListTenantSettingsChangesRequest { Parent = $"tenants/{created}" });
        var creation = Assert.Single(history.Changes);
        Assert.Equal("betrieb-01", creation.StaffId);
        Assert.Contains("neudorf-admin", creation.Note, StringComparison.Ordinal);
        Assert.Equal("tenants/" + created, (await admin.GetSignedInStaffAsync(new GetSignedInStaffRequest())).Tenant);
        var tenant = await Eventually.Succeeds<Tenant, RpcException>(
            () => admin.GetTenantAsync(new GetTenantRequest { Name = $"tenants/{created}" }).ResponseAsync, TimeSpan.FromSeconds(10));
        Assert.Equal("Gemeinde Neudorf", tenant.DisplayName);
        // Our admin still sees only ours.
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            Admin().GetTenantSettingsAsync(new GetTenantSettingsRequest { Parent = $"tenants/{created}" }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Removing_a_category_and_a_list_keeps_the_conversations_category_and_the_members_consent_history()
    {
        const string phone = "+4915112377501";
        using (await system.PostWebhookAsync(LocalSystemHost.TextWebhook(phone, "Die Schaukel am Spielplatz ist kaputt")))
        {
        }
        using (await system.PostWebhookAsync(LocalSystemHost.TextWebhook(phone, "START KITZ")))
        {
        }
        var conversation = LocalSystemHost.ConversationName(phone);
        var agent = system.Staff("agent-07");
        await Eventually.Until(() => agent.GetCitizenConsentAsync(new GetCitizenConsentRequest { Conversation = conversation }).ResponseAsync,
            c => c.Memberships.Count == 1, TimeSpan.FromSeconds(10));
        var (_, original) = await ReadAsync();
        try
        {
            var saved = await SaveAsync(d =>
            {
                d["Categories"] = new JsonObject { ["Parkverstoß"] = new JsonArray("park", "falschpark") };
                d["Lists"]!.AsObject().Remove("kitzrettung");
            });
            Assert.True(saved.Saved, string.Join("; ", saved.Errors));

            var summary = (await agent.ListConversationsAsync(new ListConversationsRequest { Parent = Parent, Query = phone })).Conversations.Single();
            Assert.Equal("Spielplatz", summary.Category);
            var consent = await agent.GetCitizenConsentAsync(new GetCitizenConsentRequest { Conversation = conversation });
            Assert.Contains(consent.History, r => r.List.EndsWith("/lists/kitzrettung", StringComparison.Ordinal) && r.Joined);
            var tenant = await Eventually.Until(() => agent.GetTenantAsync(new GetTenantRequest { Name = Parent }).ResponseAsync,
                t => !t.Categories.Contains("Spielplatz"), TimeSpan.FromSeconds(10));
            Assert.Contains("Parkverstoß", tenant.Categories);
        }
        finally
        {
            var (now, _) = await ReadAsync();
            await Admin().UpdateTenantSettingsAsync(new UpdateTenantSettingsRequest { Parent = Parent, Version = now, DocumentJson = original.ToJsonString() });
        }
    }
}
