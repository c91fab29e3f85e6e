using GoldbachActors.Contracts;

namespace GoldbachActors.Tests.Domain;

public sealed class DeliveryProgressTests
{
    private static DeliveryState Apply(DeliveryState start, IEnumerable<string> reports)
    {
        var state = start;
        foreach (var report in reports)
        {
            state = DeliveryProgress.Advance(state, report) ?? state;
        }
        return state;
    }

    private static IEnumerable<IEnumerable<string>> Permutations(IReadOnlyList<string> items) =>
        items.Count <= 1
            ? [items]
            : items.SelectMany((item, i) => Permutations([.. items.Where((_, j) => j != i)]).Select(rest => rest.Prepend(item)));

    [Fact]
    public void Any_order_of_sent_delivered_and_read_ends_read()
    {
        foreach (var order in Permutations(["sent", "delivered", "read", "read", "sent"]))
        {
            Assert.Equal(DeliveryState.Read, Apply(DeliveryState.Sent, order));
        }
    }

    [Fact]
    public void A_failure_ends_an_undelivered_message_unless_delivery_is_proven()
    {
        Assert.Equal(DeliveryState.Failed, Apply(DeliveryState.Sent, ["failed", "sent"]));
        Assert.Equal(DeliveryState.Delivered, Apply(DeliveryState.Sent, ["failed", "delivered"]));
        Assert.Equal(DeliveryState.Read, Apply(DeliveryState.Sent, ["delivered", "failed", "read"]));
        Assert.Equal(DeliveryState.Delivered, Apply(DeliveryState.Sent, ["delivered", "failed"]));
    }

    [Theory]
    [InlineData("played", DeliveryState.Read)]
    [InlineData("deleted", DeliveryState.Sent)]
    [InlineData("", DeliveryState.Sent)]
    public void Played_counts_as_read_and_unknown_statuses_change_nothing(string status, DeliveryState expected)
    {
        Assert.Equal(expected, Apply(DeliveryState.Sent, [status]));
    }
}
