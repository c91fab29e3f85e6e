namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>What Meta's error codes mean for sending again (Meta: build on <c>code</c>, not on titles).</summary>
public static class MetaErrorCodes
{
    /// <summary>Too many messages to one recipient: back off for that recipient only, 4^X seconds.</summary>
    public const int RecipientThrottled = 131056;

    /// <summary>More than 24 hours since the citizen's last message: only a template may go out.</summary>
    public const int WindowClosed = 131047;

    /// <summary>The business number's throughput was exceeded.</summary>
    public const int ThroughputExceeded = 130429;

    // Meta: temporary errors, throttling and maintenance; the same request may succeed later.
    private static readonly HashSet<int> Transient = [1, 2, 4, 80007, 130429, 131000, 131016, 131057, 133004];

    /// <summary>True when a send that failed with this code may be tried again later (131056 too, per recipient).</summary>
    public static bool IsTransient(int code) => Transient.Contains(code) || code == RecipientThrottled;

    /// <summary>
    /// True for the access token or the app's permissions (0, 10, 190, 200–299): nothing is sent until an operator
    /// fixes them, so these raise an operator alert besides failing the message.
    /// </summary>
    public static bool IsPermissionProblem(int code) => code is 0 or 10 or 190 or (>= 200 and <= 299);
}
