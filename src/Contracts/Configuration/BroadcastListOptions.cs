using System.ComponentModel.DataAnnotations;

namespace GoldbachActors.Contracts.Configuration;

/// <summary>
/// A broadcast list of a tenant (e.g. <c>ukraine-info</c>, <c>kitzrettung</c>): citizens join by a keyword or through
/// staff, leave with "STOP", and get the list's messages in their language, as an approved template outside their
/// 24-hour window (Meta requires prior opt-in and a template for business-initiated messages).
/// </summary>
public sealed class BroadcastListOptions
{
    /// <summary>The list's name as staff and members see it ("Kitzrettung Goldbach").</summary>
    [Required, MaxLength(100)]
    public string Name { get; init; } = "";

    [MaxLength(1000)]
    public string? Description { get; init; }

    /// <summary>The languages members can choose (ISO 639-1); the first is the default. None configured: German.</summary>
    public List<string> Languages { get; init; } = [];

    /// <summary><see cref="Languages"/>, or German when none are configured.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> EffectiveLanguages => Languages.Count > 0 ? Languages : ["de"];

    /// <summary>
    /// The join keywords by language (ISO 639-1), e.g. <c>de: ["START KITZ"]</c>, <c>uk: ["СТАРТ КІТЦ"]</c>. Matched
    /// case-insensitively against the whole message, punctuation and extra spaces ignored.
    /// </summary>
    public Dictionary<string, List<string>> Keywords { get; init; } = [];

    /// <summary>The confirmation a member gets on joining, by language; <c>{list}</c> stands for the list's name.</summary>
    public Dictionary<string, string> JoinedTexts { get; init; } = [];

    /// <summary>The confirmation on leaving, by language; <c>{list}</c> stands for the list's name.</summary>
    public Dictionary<string, string> LeftTexts { get; init; } = [];

    /// <summary>
    /// The approved templates (utility category) that reach members outside their 24-hour window, by language: they
    /// announce news from the list and ask the member to answer; the broadcast's text follows when they do.
    /// </summary>
    public Dictionary<string, WindowTemplateOptions> Templates { get; init; } = [];
}
