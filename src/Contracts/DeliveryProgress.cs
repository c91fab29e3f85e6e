namespace GoldbachActors.Contracts;

/// <summary>
/// How status reports move an outbound message forward. WhatsApp reports out of order (a late <c>sent</c> after
/// <c>read</c>, <c>delivered</c> skipped), so the state only ever advances: sent &lt; delivered &lt; read. A failure
/// ends a message that was not delivered; a later delivered or read proves it arrived after all.
/// </summary>
public static class DeliveryProgress
{
    /// <summary>The state a report moves <paramref name="current"/> to, or null if the report changes nothing.</summary>
    public static DeliveryState? Advance(DeliveryState current, string reportedStatus)
    {
        DeliveryState? reported = reportedStatus switch
        {
            "sent" => DeliveryState.Sent,
            "delivered" => DeliveryState.Delivered,
            "read" or "played" => DeliveryState.Read,
            "failed" => DeliveryState.Failed,
            _ => null,
        };
        if (reported is not { } next || next == current)
        {
            return null;
        }
        if (next == DeliveryState.Failed)
        {
            return Rank(current) < Rank(DeliveryState.Delivered) ? DeliveryState.Failed : null;
        }
        if (current == DeliveryState.Failed)
        {
            return next is DeliveryState.Delivered or DeliveryState.Read ? next : null;
        }
        return Rank(next) > Rank(current) ? next : null;
    }

    private static int Rank(DeliveryState state) => state switch
    {
        DeliveryState.Queued or DeliveryState.Sending or DeliveryState.WaitingForWindow => 0,
        DeliveryState.Sent => 1,
        DeliveryState.Delivered => 2,
        DeliveryState.Read => 3,
        _ => 1,
    };
}
