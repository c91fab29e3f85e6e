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
}
