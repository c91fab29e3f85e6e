using Microsoft.Extensions.Compliance.Classification;

namespace GoldbachActors.Contracts.Privacy;

/// <summary>
/// The kinds of citizens' personal data this service handles (GDPR). Logging redacts classified values
/// (<c>Microsoft.Extensions.Compliance.Redaction</c>): identifiers become a keyed hash, content is erased.
/// </summary>
public static class GoldbachTaxonomy
{
    public const string TaxonomyName = "Goldbach";

    /// <summary>What identifies a citizen: phone number, WhatsApp user id (BSUID, wa_id), grain key, profile name.</summary>
    public static DataClassification PersonalIdentifier { get; } = new(TaxonomyName, nameof(PersonalIdentifier));

    /// <summary>What a citizen or staff wrote or sent: message texts, captions, notes, media, locations, contacts.</summary>
    public static DataClassification MessageContent { get; } = new(TaxonomyName, nameof(MessageContent));
}

/// <summary>A citizen's identifier (logged only as a keyed hash).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
public sealed class PersonalIdentifierAttribute() : DataClassificationAttribute(GoldbachTaxonomy.PersonalIdentifier);

/// <summary>What someone wrote or sent (never logged).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
public sealed class MessageContentAttribute() : DataClassificationAttribute(GoldbachTaxonomy.MessageContent);
