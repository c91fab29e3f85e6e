namespace GoldbachActors.Contracts;

/// <summary>
/// One broadcast: its content, its recipients (the list's members when it started) and where each stands. Hands each
/// recipient's message to their citizen grain's outbox (which paces it through the tenant's throughput) within the
/// messaging limit, and spreads the rest over the following days. Keyed <c>{tenant}/{broadcastId}</c>.
/// </summary>
[Alias("goldbach.IBroadcastGrain")]
public interface IBroadcastGrain : IGrainWithStringKey
{
    /// <summary>Starts the broadcast, or returns the one started before under this id.</summary>
    /// <exception cref="ArgumentException">An unknown list, no content, a text too long, an unknown template.</exception>
    [Alias("Start")]
    Task<BroadcastProgress> StartAsync(BroadcastRequest request);

    /// <summary>The progress, or null when no broadcast has this id.</summary>
    [Alias("GetProgress")]
    Task<BroadcastProgress?> GetProgressAsync();

    /// <summary>A citizen grain reports how its part went (monotonic; a late report changes nothing).</summary>
    [Alias("Report")]
    Task ReportAsync(string citizenKey, RecipientState state, string? reason);

    /// <summary>A member replied to the broadcast.</summary>
    [Alias("CountReply")]
    Task CountReplyAsync(string citizenKey);

    /// <summary>Continues a broadcast whose deferred recipients are due (its reminder calls it; harmless any time).</summary>
    [Alias("Continue")]
    Task ContinueAsync();

    /// <summary>The citizen was erased: their recipient row goes (the broadcast's counts keep them as a number).</summary>
    [Alias("ForgetRecipient")]
    Task ForgetRecipientAsync(string citizenKey);
}
