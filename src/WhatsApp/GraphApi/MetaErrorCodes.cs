namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>What Meta's error codes mean for sending again (Meta: build on <c>code</c>, not on titles).</summary>
public static class MetaErrorCodes
{
    // Meta: temporary errors, throttling and maintenance; the same request may succeed later.
    private static readonly HashSet<int> Transient = [1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004];

    /// <summary>True when a send that failed with this code may be tried again.</summary>
    public static bool IsTransient(int code) => Transient.Contains(code);
}
