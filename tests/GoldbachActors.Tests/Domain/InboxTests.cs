using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Inbox;

namespace GoldbachActors.Tests.Domain;

public sealed class InboxTests
{
    [Fact]
    public void Page_token_round_trips_and_foreign_tokens_are_refused()
    {
        var last = new ConversationSummary { CitizenKey = "1/DE.5", LastMessageAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) };
        var asOf = new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero);
        var position = InboxOrder.PositionOf(last, asOf);

        var (parsedAsOf, parsed) = InboxPageToken.Parse(InboxPageToken.Format(asOf, position));

        Assert.Equal((asOf, position), (parsedAsOf, parsed));
        Assert.Throws<ArgumentException>(() => InboxPageToken.Parse("%%%"));
        Assert.Throws<ArgumentException>(() => InboxPageToken.Parse("bm90LWEtdG9rZW4"));
        Assert.Throws<ArgumentException>(() => InboxPageToken.Parse(InboxPageToken.Format(asOf, position).Insert(3, "A")));
    }

    [Fact]
    public void Urgent_come_first_then_overdue_then_the_most_recently_active()
    {
        var now = new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);
        ConversationSummary S(string key, bool urgent = false, DateTimeOffset? due = null, ConversationStatus status = ConversationStatus.Open, int minutesAgo = 0) =>
            new() { CitizenKey = "1/DE." + key, Urgent = urgent, DueAt = due, Status = status, LastMessageAt = now.AddMinutes(-minutesAgo) };
        var summaries = new[]
        {
            S("recent", due: now.AddHours(20), minutesAgo: 1),
            S("older", due: now.AddHours(20), minutesAgo: 30),
            S("overdueLong", due: now.AddDays(-2), minutesAgo: 3000),
            S("overdueShort", due: now.AddHours(-1), minutesAgo: 100),
            S("waiting", due: now.AddDays(-3), status: ConversationStatus.WaitingForCitizen, minutesAgo: 5),
            S("urgentLate", urgent: true, due: now.AddMinutes(-5), minutesAgo: 5),
            S("urgentEarly", urgent: true, due: now.AddMinutes(-50), minutesAgo: 50),
        };

        var order = summaries.OrderBy(s => InboxOrder.PositionOf(s, now)).Select(s => s.CitizenKey[5..]);

        Assert.Equal(["urgentEarly", "urgentLate", "overdueLong", "overdueShort", "recent", "waiting", "older"], order);
    }

    [Fact]
    public async Task Group_commit_writes_waiting_items_together_and_reports_a_failed_write_to_each_caller()
    {
        var batches = new List<int>();
        var gate = new TaskCompletionSource();
        var failNext = false;
        var commit = new GroupCommit<string, int>(async items =>
        {
            await gate.Task;
            batches.Add(items.Count);
            if (failNext)
            {
                throw new InvalidOperationException("storage down");
            }
        });

        var first = commit.WriteAsync("a", 1);
        var second = commit.WriteAsync("b", 2);
        var third = commit.WriteAsync("b", 3);
        gate.SetResult();
        await Task.WhenAll(first, second, third);

        Assert.Equal([1, 1], batches);

        failNext = true;
        var failing = new[] { commit.WriteAsync("c", 4), commit.WriteAsync("d", 5) };
        foreach (var task in failing)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => task);
        }
    }

    [Fact]
    public void Tenant_configuration_names_each_wrong_value()
    {
        var options = new GoldbachOptions
        {
            Tenants =
            {
                ["12ab"] = new TenantOptions { Name = "X", AcknowledgementText = "Danke" },
                ["123"] = new TenantOptions { Name = "", AcknowledgementText = "" },
            },
        };

        var result = new GoldbachOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Goldbach:Tenants:12ab", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Goldbach:Tenants:123", StringComparison.Ordinal) && f.Contains("Name", StringComparison.Ordinal));
        Assert.True(new GoldbachOptionsValidator().Validate(null, new GoldbachOptions()).Failed);
    }
}
