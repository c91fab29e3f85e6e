using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>The stand-in's settings. Section <c>Simulator</c>.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>The access token the silo must present, as Meta checks its tokens.</summary>
    [Required]
    public string AccessToken { get; set; } = "";

    /// <summary>The app secret that signs webhooks (the gateway's <c>WhatsApp:Webhook:AppSecret</c>).</summary>
    [Required]
    public string AppSecret { get; set; } = "";

    /// <summary>Where webhooks go: the gateway's <c>/webhooks/whatsapp</c>.</summary>
    [Required]
    public Uri? WebhookUrl { get; set; }

    /// <summary>The business number citizens write to (its <c>phone_number_id</c>).</summary>
    [Required, RegularExpression("^[0-9]{1,32}$")]
    public string PhoneNumberId { get; set; } = "";

    /// <summary>The business number as citizens see it.</summary>
    public string DisplayPhoneNumber { get; set; } = "+49 6021 5000";

    /// <summary>Post status webhooks (sent, delivered, read) for accepted messages.</summary>
    public bool StatusWebhooks { get; set; } = true;

    /// <summary>The time between an accepted message and each of its status webhooks.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan StatusDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Refuse free text outside the 24-hour window (131047), as Meta does.</summary>
    public bool EnforceWindow { get; set; } = true;

    /// <summary>The business number's throughput (130429 above it); 0: unlimited.</summary>
    [Range(0, 10_000)]
    public int MessagesPerSecond { get; set; } = 80;

    /// <summary>Per recipient: a burst of this many, then one every <see cref="PerRecipientEvery"/> (131056 beyond).</summary>
    [Range(1, 1000)]
    public int PerRecipientBurst { get; set; } = 6;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PerRecipientEvery { get; set; } = TimeSpan.FromSeconds(6);
}
