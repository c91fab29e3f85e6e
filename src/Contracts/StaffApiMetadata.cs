namespace GoldbachActors.Contracts;

/// <summary>Metadata the staff API adds to an answer, shared by the gateway and its clients.</summary>
public static class StaffApiMetadata
{
    /// <summary>
    /// A trailer on an <c>Unavailable</c> erasure: <c>begun</c> when the erasure started and storage refused a later
    /// step (it finishes by itself, or on a repeat with the same request id), as opposed to a service not reached.
    /// </summary>
    public const string ErasureState = "goldbach-erasure";

    /// <summary>
    /// A response header of WatchInbox, sent as soon as the watch is registered: the inbox's position it watches from.
    /// Everything after it reaches the watcher, so a client knows it is connected before the first event.
    /// </summary>
    public const string WatchPosition = "goldbach-position";
}
