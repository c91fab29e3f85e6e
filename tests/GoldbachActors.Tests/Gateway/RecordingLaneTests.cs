using GoldbachActors.Gateway.Webhooks;
using GoldbachActors.ServiceDefaults;
using GoldbachActors.Testing;
using GoldbachActors.WhatsApp.Webhooks;

namespace GoldbachActors.Tests.Gateway;

/// <summary>
/// The gateway records journaled webhooks in lanes chosen by the citizen (one citizen's in order, different citizens'
/// side by side), and the storage counter names only the table a request addresses, never its keys.
/// </summary>
public sealed class RecordingLaneTests
{
    private static WebhookPayload Parse(byte[] body) => WebhookPayloadParser.Parse(body);

    [Fact]
    public void A_citizens_messages_and_the_statuses_of_messages_to_them_share_a_lane_and_other_citizens_spread_over_many()
    {
        var erika = new Citizen("+4915120000001");
        var message = Parse(Payloads.Messages(erika, erika.From("wamid.a1") + ",\"type\":\"text\",\"text\":{\"body\":\"Hallo\"}"));
        var second = Parse(Payloads.Messages(erika, erika.From("wamid.a2") + ",\"type\":\"text\",\"text\":{\"body\":\"Noch etwas\"}"));
        var status = Parse(Payloads.Envelope([], [], [Payloads.Status("wamid.out1", "delivered", erika, callbackData: null)]));

        Assert.Equal(WebhookIntake.OrderingKey(message), WebhookIntake.OrderingKey(second));
        Assert.Equal(WebhookIntake.OrderingKey(message), WebhookIntake.OrderingKey(status));

        // 1,000 citizens over 64 lanes: every lane gets some, none gets more than three times its share.
        var lanes = Enumerable.Range(0, 1000)
            .Select(i => new Citizen($"+49151300{i:D5}"))
            .Select(c => (uint)WebhookIntake.OrderingKey(Parse(Payloads.Messages(c, c.From("wamid.x") + ",\"type\":\"text\",\"text\":{\"body\":\"x\"}"))) % 64u)
            .GroupBy(lane => lane)
            .ToList();
        Assert.Equal(64, lanes.Count);
        Assert.True(lanes.Max(g => g.Count()) < 3 * 1000 / 64, $"the busiest lane has {lanes.Max(g => g.Count())} of 1,000 citizens");
    }

    [Theory]
    [InlineData("/devstoreaccount1/GoldbachCitizens(PartitionKey='t_4915123',RowKey='citizen')", "GoldbachCitizens")]
    [InlineData("/GoldbachCitizens(PartitionKey='t_4915123',RowKey='citizen')", "GoldbachCitizens")]
    [InlineData("/devstoreaccount1/WebhookJournal", "WebhookJournal")]
    [InlineData("/devstoreaccount1/$batch", "$batch")]
    [InlineData("/devstoreaccount1/Tables", "Tables")]
    public void The_storage_counter_names_the_table_and_never_a_key(string path, string table)
    {
        var named = StorageRequestCounter.TableOf(path);

        Assert.Equal(table, named);
        Assert.DoesNotContain("4915123", named, StringComparison.Ordinal);
    }
}
