using System.Globalization;
using Azure.Data.Tables;
using GoldbachActors.Audit;
using GoldbachActors.Gateway.Staff;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Grains;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// A citizen's audit entries are found through the conversation index (against Azurite), including entries written
/// before the index existed; redaction and expiry keep index and log in step.
/// </summary>
public sealed class AuditIndexTests
{
    private const string Tenant = "tenant-a";
    private const string Erika = "tenants/tenant-a/conversations/4915112340001";
    private const string Max = "tenants/tenant-a/conversations/4915112340002";

    [Fact]
    public async Task A_citizens_entries_come_from_the_index_and_from_the_log_written_before_it()
    {
        await using var storage = await Azurite.StartAsync();
        var tables = new TableServiceClient(storage.ConnectionString);
        var clock = new ShiftedClock();
        var audit = new StaffAuditLog(tables, clock);
        // Two entries as the log held them before the index existed: no index rows.
        var log = tables.GetTableClient(StaffAuditLog.TableName);
        await log.CreateIfNotExistsAsync();
        var before = clock.GetUtcNow().AddDays(-3);
        await log.AddEntityAsync(OldEntry(before, "GetConversation", Erika));
        await log.AddEntityAsync(OldEntry(before.AddMinutes(1), "GetConversation", Max));

        await audit.RecordAsync(Tenant, "dora", "agent", "Reply", Erika, CancellationToken.None);
        await audit.RecordAsync(Tenant, "dora", "agent", "GetConversation", Max, CancellationToken.None);
        await audit.RecordAsync(Tenant, "chef", "supervisor", "SetStatus", Erika, CancellationToken.None);

        var erikas = await audit.ListAboutAsync(Tenant, [Erika], CancellationToken.None);
        Assert.Equal(["GetConversation", "Reply", "SetStatus"], erikas.Select(e => e.Action));
        var (page, next) = await audit.ListAsync(Tenant, 2, null, Erika, CancellationToken.None);
        Assert.Equal(["SetStatus", "Reply"], page.Select(e => e.Action));
        var (rest, end) = await audit.ListAsync(Tenant, 2, next, Erika, CancellationToken.None);
        Assert.Equal(["GetConversation"], rest.Select(e => e.Action));
        Assert.Null(end);
        // The index holds the new entries only, each under its conversation.
        var index = tables.GetTableClient(StaffAuditLog.IndexTableName);
        Assert.Equal(3, await CountAsync(index, e => !e.RowKey.StartsWith('~')));

        // Redaction: every entry of Erika's, old and new, now names the erasure; Max's are untouched.
        Assert.Equal(3, await audit.RedactAsync(Tenant, [Erika], "erasure-1", CancellationToken.None));
        Assert.Empty(await audit.ListAboutAsync(Tenant, [Erika], CancellationToken.None));
        Assert.Equal(["GetConversation", "Reply", "SetStatus"], (await audit.ListAboutAsync(Tenant, ["erasure-1"], CancellationToken.None)).Select(e => e.Action));
        Assert.Equal(2, (await audit.ListAboutAsync(Tenant, [Max], CancellationToken.None)).Count);
        Assert.Equal(0, await CountAsync(log, e => e.GetString("Conversation") == Erika));
        Assert.Equal(0, await audit.RedactAsync(Tenant, [Erika], "erasure-1", CancellationToken.None));

        // Expiry takes the old entries and their index rows (the redacted old one has one now), and nothing newer.
        Assert.Equal(2, await audit.ExpireAsync(Tenant, clock.GetUtcNow().AddDays(-1), apply: true, CancellationToken.None));
        Assert.Equal(["Reply", "SetStatus"], (await audit.ListAboutAsync(Tenant, ["erasure-1"], CancellationToken.None)).Select(e => e.Action));
        Assert.Equal(3, await CountAsync(log, _ => true));
        Assert.Equal(3, await CountAsync(index, e => !e.RowKey.StartsWith('~')));
    }

    [Fact]
    public void Reading_is_one_sitting_while_the_reads_come_less_than_half_an_hour_apart_and_at_most_eight_hours()
    {
        var clock = new ShiftedClock();
        var sittings = new ReadingSittings(clock);
        Assert.False(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
        sittings.Began(Tenant, "dora", "GetConversation", Erika);
        var start = clock.GetUtcNow();

        Assert.True(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
        Assert.False(sittings.Continues(Tenant, "chef", "GetConversation", Erika));
        Assert.False(sittings.Continues(Tenant, "dora", "GetConversation", Max));
        Assert.False(sittings.Continues(Tenant, "dora", "DownloadMedia", Erika));
        clock.MoveTo(start.AddMinutes(29));
        Assert.True(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
        // A poll every 29 minutes keeps the sitting, for eight hours.
        for (var minutes = 58; minutes < 8 * 60; minutes += 29)
        {
            clock.MoveTo(start.AddMinutes(minutes));
            Assert.True(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
        }
        clock.MoveTo(start.AddHours(8));
        Assert.False(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
        sittings.Began(Tenant, "dora", "GetConversation", Erika);
        var again = clock.GetUtcNow();
        clock.MoveTo(again.AddMinutes(29));
        Assert.True(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
        // Half an hour and a minute without a read (a clear margin: the shifted clock runs on between the calls).
        clock.MoveTo(again.AddMinutes(29 + 31));
        Assert.False(sittings.Continues(Tenant, "dora", "GetConversation", Erika));
    }

    private static TableEntity OldEntry(DateTimeOffset at, string action, string conversation) =>
        new(Tenant, $"{(DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}_{Guid.NewGuid():N}")
        {
            ["At"] = at,
            ["StaffId"] = "alt",
            ["Role"] = "agent",
            ["Action"] = action,
            ["Conversation"] = conversation,
        };

    private static async Task<int> CountAsync(TableClient table, Func<TableEntity, bool> predicate)
    {
        var count = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == Tenant))
        {
            count += predicate(entity) ? 1 : 0;
        }
        return count;
    }
}
