using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Gateway.Webhooks;

/// <summary>The WhatsApp webhook's secrets and limits. Section <c>WhatsApp:Webhook</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "WhatsApp:Webhook";

    /// <summary>The Meta app secret that signs every POST (X-Hub-Signature-256). A secret: never in code.</summary>
    [Required, MinLength(8)]
    public string AppSecret { get; set; } = "";

    /// <summary>The verify token entered in Meta's App Dashboard for the GET handshake.</summary>
    [Required, MinLength(8)]
    public string VerifyToken { get; set; } = "";

    /// <summary>The largest body accepted: Meta sends at most 3 MB, so a little more.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 3_500_000;

    /// <summary>A journaled webhook not recorded after this long is replayed by the sweeper.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan JournalReplayAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the sweeper looks for such webhooks.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan JournalSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A journal record whose replay failed this many times, and that is at least <see cref="JournalDeadLetterAfter"/>
    /// old, goes to the dead-letter table (<c>WebhookDeadLetters</c>), where an operator retries or drops it.
    /// </summary>
    [Range(1, 1000)]
    public int JournalMaxAttempts { get; set; } = 20;

    /// <summary>The least age of a record before it can be dead-lettered, so that an outage alone does not do it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan JournalDeadLetterAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// How many webhook bodies are read at once; more wait in a queue of <see cref="ReadQueueLimit"/>, and beyond that
    /// the gateway answers 503 (Meta retries). Memory then follows the bytes actually sent, not what slow or hostile
    /// clients announce.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentReads { get; set; } = 64;

    /// <summary>
    /// How many journaled webhooks are recorded into the grains at once. Each citizen's webhooks go through one lane
    /// (chosen by the citizen), so they are recorded in the order they were answered; different citizens' run side by
    /// side, so that a burst is limited by storage, not by one grain call after another.
    /// </summary>
    [Range(1, 1024)]
    public int RecordingLanes { get; set; } = 8;

    /// <summary>How many webhook POSTs may wait for a read slot.</summary>
    [Range(0, 100_000)]
    public int ReadQueueLimit { get; set; } = 256;
}
