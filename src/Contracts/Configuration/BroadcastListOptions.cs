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

    /// <summary>
    /// The join keywords by language (ISO 639-1), e.g. <c>de: ["START KITZ"]</c>, <c>uk: ["СТАРТ КІТЦ"]</c>. Matched
    /// case-insensitively against the whole message, punctuation and extra spaces ignored.
    /// </summary>
    public Dictionary<string, List<string>> Keywords { get; init; } = [];

    /// <summary>The confirmation a member gets on joining, by language; <c>{list}</c> stands for the list's name.</summary>
    public Dictionary<string, string> JoinedTexts { get; init; } = [];

    /// <summary>The approved templates (utility category) that reach members outside their 24-hour window, by language.</summary>
    public Dictionary<string, WindowTemplateOptions> Templates { get; init; } = [];
}
