using System.Diagnostics.Metrics;
using System.Net;
using GoldbachActors.Contracts;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>The retention rules on a system of its own whose town clock the test moves (Orleans keeps real time).</summary>
[Collection(DataProtectionCollection.Name)]
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();
    private readonly Grains.ShiftedClock _clock = new();
    private readonly List<(string Kind, string Category, long Count)> _deleted = [];
    private readonly MeterListener _listener = new();

    public async Task InitializeAsync()
    {
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Retention:ResolvedConversationDays=180");
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Retention:CategoryDays:Parkverstoß=30");
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Retention:AuditEntryDays=365");
        _system.UseTownClock(_clock);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "goldbach.retention.deleted")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray();
            lock (_deleted)
            {
                _deleted.Add((Tag(all, "kind"), Tag(all, "category"), value));
            }
        });
        _listener.Start();
        await _system.InitializeAsync();
    }

    private static string Tag(KeyValuePair<string, object?>[] tags, string key) => tags.FirstOrDefault(t => t.Key == key).Value?.ToString() ?? "";

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _system.DisposeAsync();
    }

    private async Task<string> ConversationAsync(Citizen citizen, string text, bool resolve, DateTimeOffset? at = null)
    {
        using (var response = await _system.PostWebhookAsync(Payloads.Messages(citizen, $$"""{{citizen.From(LocalSystem.NewWamid(), at)}},"type":"text","text":{"body":"{{text}}"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        if (resolve)
        {
            await _system.Staff().SetStatusAsync(new SetStatusRequest { Conversation = citizen.ConversationName, Status = StaffApi.V1.ConversationStatus.Resolved });
        }
        return citizen.ConversationName;
    }

    private async Task<bool> ExistsAsync(string conversation)
    {
        try
        {
            await _system.Staff("chefin", StaffRoles.Supervisor).GetConversationAsync(new GetConversationRequest { Name = conversation });
            return true;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    [Fact]
    public async Task Resolved_conversations_go_after_their_categorys_period_list_members_keep_their_consent_and_old_audit_entries_go()
    {
        // The town's clock at real time: the audit log's entries carry real time.
        _clock.MoveTo(DateTimeOffset.UtcNow);
        var parent = $"tenants/{LocalSystem.Tenant}";
        var dpo = _system.Staff("datenschutz", StaffRoles.Supervisor);
        var parking = await ConversationAsync(new Citizen("+4915212350001"), "Falschparker vor der Einfahrt", resolve: true);
        var playground = await ConversationAsync(new Citizen("+4915212350002"), "Die Schaukel am Spielplatz ist kaputt", resolve: true);
        var member = new Citizen("+4915212350003");
        await ConversationAsync(member, "START KITZ", resolve: false);
        var memberConversation = await ConversationAsync(member, "Wann wird gemäht? Die Wiese am Spielplatz", resolve: true);
        var open = await ConversationAsync(new Citizen("+4915212350004"), "Falschparker schon wieder", resolve: false);
        var today = _clock.GetUtcNow();

        // Nothing is due yet; the dry run says so and when the first will be.
        var now = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent });
        Assert.True(now.DryRun);
        var parkingItem = Assert.Single(now.Categories, c => c.Category == "Parkverstoß");
        Assert.Equal((30, 1, 0), (parkingItem.PeriodDays, parkingItem.Resolved, parkingItem.Due));
        Assert.InRange(parkingItem.NextDueTime.ToDateTimeOffset() - today, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30.1));
        var playgrounds = Assert.Single(now.Categories, c => c.Category == "Spielplatz");
        Assert.Equal((180, 2, 0), (playgrounds.PeriodDays, playgrounds.Resolved, playgrounds.Due));

        // 31 days on: the parking complaint is due; a dry run deletes nothing.
        _clock.MoveTo(today.AddDays(31));
        var dry = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent });
        Assert.Equal(1, dry.Categories.Single(c => c.Category == "Parkverstoß").Due);
        Assert.True(await ExistsAsync(parking));
        var applied = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
        Assert.Equal((false, 1), (applied.DryRun, applied.ConversationsDeleted));
        Assert.False(await ExistsAsync(parking));
        Assert.True(await ExistsAsync(playground));
        Assert.True(await ExistsAsync(open));
        lock (_deleted)
        {
            Assert.Contains(("conversation", "Parkverstoß", 1L), _deleted);
        }
        // The erasure left a tombstone (a keyed hash, no number) so that Meta's redelivery cannot bring it back.
        var tombstones = new Azure.Data.Tables.TableServiceClient(_system.Storage.ConnectionString).GetTableClient("ErasureTombstones");
        Assert.NotEmpty(await TombstonesAsync(tombstones));

        // Half a year on (what the daily reminder does): the others resolved go; the member stays in the list with their
        // consent, without the conversation; the open one stays. Audit entries past 365 days go too (the town's clock
        // is ahead of the log's).
        _clock.MoveTo(today.AddDays(400));
        var later = await _system.Cluster.GetGrain<IRetentionGrain>(LocalSystem.Tenant).ApplyAsync();
        // Three conversations: the playground report, and the member's two (joining by keyword resolves at once).
        Assert.Equal(3, later.ConversationsDeleted);
        Assert.True(later.AuditEntriesDeleted >= 5, $"{later.AuditEntriesDeleted} audit entries");
        Assert.False(await ExistsAsync(playground));
        Assert.False(await ExistsAsync(memberConversation));
        Assert.True(await ExistsAsync(open));
        // The parking complaint's tombstone expired (the backup horizon, 35 days) and went; the new erasures' tombstones are there.
        var remaining = await TombstonesAsync(tombstones);
        Assert.NotEmpty(remaining);
        Assert.All(remaining, erasedAt => Assert.True(erasedAt > today.AddDays(300), $"a tombstone of {erasedAt} outlived its 35 days"));
        var consent = await dpo.GetCitizenConsentAsync(new GetCitizenConsentRequest { Conversation = member.ConversationName });
        Assert.Equal("kitzrettung", Assert.Single(consent.Memberships).List.Split('/')[^1]);
        lock (_deleted)
        {
            Assert.Contains(_deleted, d => d.Kind == "audit_entry" && d.Count == later.AuditEntriesDeleted);
        }

        // Idempotent: a second run finds nothing more.
        var again = await _system.Cluster.GetGrain<IRetentionGrain>(LocalSystem.Tenant).ApplyAsync();
        Assert.Equal(0, again.ConversationsDeleted);
        // The daily reminder is registered (every silo makes sure at start-up).
        await Eventually.Until(async () =>
        {
            var table = new Azure.Data.Tables.TableServiceClient(_system.Storage.ConnectionString).GetTableClient("GoldbachReminders");
            var rows = 0;
            await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey.CompareTo("") > 0))
            {
                rows += row.RowKey.Contains("retention", StringComparison.Ordinal) || (row.GetString("ReminderName") ?? "") == "retention" ? 1 : 0;
            }
            return rows;
        }, rows => rows == 1, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Each_conversation_of_a_citizen_goes_after_its_own_categorys_period()
    {
        _clock.MoveTo(DateTimeOffset.UtcNow);
        var today = _clock.GetUtcNow();
        var parent = $"tenants/{LocalSystem.Tenant}";
        var dpo = _system.Staff("datenschutz", StaffRoles.Supervisor);
        // Anna reports a playground (180 days), and ten days later a parked car (30 days); both resolved. Bernd
        // complains about a parked car (resolved), and ten days later about a playground (still open).
        var anna = new Citizen("+4915212360001");
        var bernd = new Citizen("+4915212360002");
        await ConversationAsync(anna, "Die Schaukel am Spielplatz ist kaputt", resolve: true);
        await ConversationAsync(bernd, "Falschparker vor der Einfahrt", resolve: true);
        _clock.MoveTo(today.AddDays(10));
        await ConversationAsync(anna, "Falschparker vor der Garage", resolve: true);
        await ConversationAsync(bernd, "Der Zaun am Spielplatz ist umgefallen", resolve: false);

        // Each ended conversation counts under its own category (Bernd's open one not yet).
        var preview = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent });
        Assert.Equal((2, 0), (preview.Categories.Single(c => c.Category == "Parkverstoß").Resolved, preview.Categories.Single(c => c.Category == "Parkverstoß").Due));
        Assert.Equal(1, preview.Categories.Single(c => c.Category == "Spielplatz").Resolved);

        // 45 days on both parking complaints are due, the playground conversations are not: only the former go.
        _clock.MoveTo(today.AddDays(45));
        var applied = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
        Assert.Equal(2, applied.ConversationsDeleted);
        Assert.Equal(["Die Schaukel am Spielplatz ist kaputt"], await TextsAsync(anna));
        Assert.Equal(["Der Zaun am Spielplatz ist umgefallen"], await TextsAsync(bernd));
        lock (_deleted)
        {
            Assert.Equal(2, _deleted.Count(d => d == ("conversation", "Parkverstoß", 1L)));
            Assert.DoesNotContain(_deleted, d => d.Category == "Spielplatz");
        }
        var again = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
        Assert.Equal(0, again.ConversationsDeleted);

        // 200 days on Anna's playground report is due as well: with it her last conversation, so all of her goes.
        // Bernd's open one stays.
        _clock.MoveTo(today.AddDays(200));
        var later = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
        Assert.Equal(1, later.ConversationsDeleted);
        Assert.False(await ExistsAsync(anna.ConversationName));
        Assert.Equal(["Der Zaun am Spielplatz ist umgefallen"], await TextsAsync(bernd));
    }

    [Fact]
    public async Task A_restored_backup_brings_back_no_erased_citizen_the_next_retention_run_erases_them_again()
    {
        _clock.MoveTo(DateTimeOffset.UtcNow);
        var parent = $"tenants/{LocalSystem.Tenant}";
        var dpo = _system.Staff("datenschutz", StaffRoles.Supervisor);
        var erased = new Citizen("+4915212380001");
        var member = new Citizen("+4915212380002");
        var kept = new Citizen("+4915212380003");
        var returner = new Citizen("+4915212380004");
        // Written a few minutes before (WhatsApp's timestamps have whole seconds: one of the erasure's own second would
        // count as written after it).
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await ConversationAsync(erased, "Bitte rufen Sie mich wegen der Hecke zurück", resolve: false, before);
        await ConversationAsync(member, "START KITZ", resolve: false, before);
        await ConversationAsync(kept, "Wann hat das Rathaus offen?", resolve: false, before);
        await ConversationAsync(returner, "Die Laterne am Kirchplatz ist aus", resolve: false, before);
        await _system.WaitUntilRecordedAsync();

        // The inbox index is group-committed after the grains: a backup taken before it holds a citizen's state without
        // their inbox row, and the retention run finds citizens through the inbox. Wait until all four rows are stored.
        await Eventually.Until(async () =>
        {
            var rows = 0;
            await foreach (var _ in new Azure.Data.Tables.TableServiceClient(_system.Storage.ConnectionString).GetTableClient("ConversationIndex")
                .QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == LocalSystem.Tenant, select: ["RowKey"]))
            {
                rows++;
            }
            return rows;
        }, rows => rows == 4, TimeSpan.FromSeconds(30));
        // Last night's backup of the storage account, then three ask to be erased (Art. 17); one writes again later.
        var backup = await BackupAsync();
        foreach (var citizen in new[] { erased, member, returner })
        {
            var erasure = await dpo.EraseCitizenAsync(new EraseCitizenRequest
            {
                Citizen = new CitizenSelector { Parent = parent, PhoneNumber = citizen.Phone },
                RequestId = $"erase-{citizen.Phone[^4..]}",
            });
            Assert.True(erasure.Messages > 0, $"{citizen.Phone}: nothing erased");
        }
        Assert.False(await ExistsAsync(erased.ConversationName));
        await ConversationAsync(returner, "Jetzt brennt sie wieder, danke!", resolve: false);
        // Recorded before the silos stop (else the gateway records it into the restored state afterwards: then the
        // returner wrote after the erasure, and is kept).
        await _system.WaitUntilRecordedAsync();
        // Nothing was restored yet: the run has nothing to erase again.
        Assert.Equal(0, (await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent })).ErasedCitizensRestored);

        // The restore (docs/operations.md): silos stopped, every table back from the backup except the tombstones,
        // which only grow newer; then the silo starts on the restored state.
        await _system.StopSiloAsync();
        await RestoreAsync(backup);
        await _system.StartSiloAsync();
        // The backup brought all three back (each read activates the citizen from the restored state). The gateway's
        // client may still be reconnecting to the new silo (UNAVAILABLE until then).
        Assert.True(await Eventually.Succeeds<bool, RpcException>(() => ExistsAsync(erased.ConversationName)),
            "the backup should have brought the erased citizen back");
        Assert.True(await ExistsAsync(member.ConversationName));
        Assert.True(await ExistsAsync(returner.ConversationName));
        var preview = await Eventually.Succeeds<StaffApi.V1.RetentionReport, RpcException>(
            () => dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent }).ResponseAsync);
        // A dry run names them (the returner's restored state is from before their erasure too) and erases nothing.
        Assert.InRange(preview.ErasedCitizensRestored, 1, 3);
        Assert.Equal(0, preview.ErasedAgain);
        Assert.True(await ExistsAsync(erased.ConversationName) || await ExistsAsync(member.ConversationName));

        // Applied runs erase all three again, and only them. (A run can miss a citizen whose inbox row the restore did
        // not bring back until their grain publishes it again: see the issue note; the next run finds them.)
        var erasedAgain = 0;
        await Eventually.Until(async () =>
        {
            var applied = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
            erasedAgain += applied.ErasedAgain;
            // What is still there, and what the run saw (the timeout names it).
            var left = new List<string>();
            foreach (var (name, citizen) in new[] { ("erased", erased), ("member", member), ("returner", returner) })
            {
                if (await ExistsAsync(citizen.ConversationName))
                {
                    left.Add(name);
                }
            }
            return left.Count == 0 ? "" : $"{string.Join(", ", left)} still there; the run found {applied.ErasedCitizensRestored} restored, erased {applied.ErasedAgain}";
        }, left => left.Length == 0, TimeSpan.FromSeconds(60));
        Assert.Equal(3, erasedAgain);
        Assert.True(await ExistsAsync(kept.ConversationName));
        var lists = await dpo.ListBroadcastListsAsync(new ListBroadcastListsRequest { Parent = parent });
        Assert.Equal(0, lists.Lists.Single(l => l.Name.EndsWith("/kitzrettung", StringComparison.Ordinal)).Members);
        var again = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
        Assert.Equal((0, 0), (again.ErasedCitizensRestored, again.ErasedAgain));

        // What a citizen writes after the erasure is theirs: it stays through the next runs.
        await ConversationAsync(erased, "Ich habe noch eine Frage zum Wertstoffhof", resolve: false);
        var after = await dpo.RunRetentionAsync(new RunRetentionRequest { Parent = parent, Apply = true });
        Assert.Equal((0, 0), (after.ErasedCitizensRestored, after.ErasedAgain));
        Assert.Equal(["Ich habe noch eine Frage zum Wertstoffhof"], await TextsAsync(erased));
    }

    // Every table but the cluster's membership, as an operator's scheduled table copy holds it.
    private async Task<Dictionary<string, List<Azure.Data.Tables.TableEntity>>> BackupAsync()
    {
        var service = new Azure.Data.Tables.TableServiceClient(_system.Storage.ConnectionString);
        var backup = new Dictionary<string, List<Azure.Data.Tables.TableEntity>>();
        await foreach (var table in service.QueryAsync())
        {
            if (table.Name != "OrleansSiloInstances")
            {
                var rows = new List<Azure.Data.Tables.TableEntity>();
                await foreach (var row in service.GetTableClient(table.Name).QueryAsync<Azure.Data.Tables.TableEntity>())
                {
                    rows.Add(row);
                }
                backup[table.Name] = rows;
            }
        }
        return backup;
    }

    // Each table replaced by its copy (rows since are gone, deleted rows come back), except the erasure tombstones.
    private async Task RestoreAsync(Dictionary<string, List<Azure.Data.Tables.TableEntity>> backup)
    {
        var service = new Azure.Data.Tables.TableServiceClient(_system.Storage.ConnectionString);
        foreach (var (name, rows) in backup.Where(b => b.Key != "ErasureTombstones"))
        {
            var table = service.GetTableClient(name);
            await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All);
            }
            foreach (var row in rows)
            {
                await table.UpsertEntityAsync(row, Azure.Data.Tables.TableUpdateMode.Replace);
            }
        }
    }

    private async Task<List<string>> TextsAsync(Citizen citizen)
    {
        var conversation = await _system.Staff("chefin", StaffRoles.Supervisor).GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName });
        Assert.Empty(conversation.NextPageToken);
        return [.. conversation.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text)];
    }

    private static async Task<List<DateTimeOffset>> TombstonesAsync(Azure.Data.Tables.TableClient table)
    {
        var erasedAt = new List<DateTimeOffset>();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == LocalSystem.Tenant))
        {
            erasedAt.Add(row.GetDateTimeOffset("ErasedAt")!.Value);
        }
        return erasedAt;
    }
}

/// <summary>
/// The retention reminder itself (not a call standing in for it): with its periods shortened, it deletes a resolved
/// conversation once the town's clock passes the conversation's period.
/// </summary>
[Collection(DataProtectionCollection.Name)]
public sealed class RetentionReminderTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();
    private readonly Grains.ShiftedClock _clock = new();

    public async Task InitializeAsync()
    {
        // The list form, as a Kubernetes ConfigMap carries it (its keys allow no ß).
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Retention:Categories:0:Category=Parkverstoß");
        _system.SiloSettings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Retention:Categories:0:Days=30");
        _system.SiloSettings.Add("--Goldbach:Schedules:MinimumReminderPeriod=00:00:02");
        _system.SiloSettings.Add("--Goldbach:Schedules:RetentionFirstRun=00:00:02");
        _system.SiloSettings.Add("--Goldbach:Schedules:RetentionPeriod=00:00:03");
        _system.UseTownClock(_clock);
        await _system.InitializeAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task The_reminder_deletes_a_conversation_once_its_period_is_over()
    {
        _clock.MoveTo(DateTimeOffset.UtcNow);
        var citizen = new Citizen("+4915212370001");
        using (var response = await _system.PostWebhookAsync(Payloads.Messages(citizen, $$"""{{citizen.From(LocalSystem.NewWamid())}},"type":"text","text":{"body":"Falschparker vor der Einfahrt"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var staff = _system.Staff("chefin", StaffRoles.Supervisor);
        await staff.SetStatusAsync(new SetStatusRequest { Conversation = citizen.ConversationName, Status = StaffApi.V1.ConversationStatus.Resolved });

        // The reminder ticks every 3 s: for 10 s nothing is due, and the conversation stays.
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Equal(citizen.ConversationName, (await staff.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName })).Summary.Name);

        // 31 days on, the next tick deletes it: nobody calls the retention run here.
        _clock.MoveTo(_clock.GetUtcNow().AddDays(31));
        var gone = await Eventually.Until(async () =>
        {
            try
            {
                await staff.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName });
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return true;
            }
        }, deleted => deleted, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        Assert.True(gone);
    }
}
