using System.Diagnostics;

namespace GoldbachActors.Contracts.Diagnostics;

/// <summary>
/// Our own spans (source <c>GoldbachActors</c>): they join the work that happens after a request has been answered
/// (recording a journaled webhook, sending a queued message) to the trace of the request that caused it.
/// </summary>
public static class GoldbachActivity
{
    public const string SourceName = "GoldbachActors";

    /// <summary>The meter of every goldbach metric (silo and gateway): the same name as the spans' source.</summary>
    public const string MeterName = SourceName;

    public static ActivitySource Source { get; } = new(SourceName);
}
