using System.Collections.Immutable;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>The message an inbound message refers to, and whether it was forwarded.</summary>
/// <param name="RepliedToMessageId">The wamid of the message answered (a reply or a button tap), if any.</param>
/// <param name="Forwarded">Forwarded up to five times.</param>
/// <param name="FrequentlyForwarded">Forwarded more than five times.</param>
[GenerateSerializer, Immutable, Alias("goldbach.MessageContext")]
public sealed record MessageContext(
    [property: Id(0)] string? RepliedToMessageId,
    [property: Id(1)] bool Forwarded,
    [property: Id(2)] bool FrequentlyForwarded);

/// <summary>Where a media file stands in the town's own storage.</summary>
public enum MediaStatus
{
    /// <summary>Announced by WhatsApp; not downloaded yet.</summary>
    Pending = 0,

    /// <summary>Downloaded, checked and stored in the town's blob storage.</summary>
    Stored = 1,

    /// <summary>Could not be downloaded or failed a check; see the failure reason.</summary>
    Failed = 2,
}

/// <summary>An image, audio, video, document or sticker, as WhatsApp announced it and as the town stored it.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.MediaAttachment")]
public sealed record MediaAttachment
{
    /// <summary><c>image</c>, <c>audio</c>, <c>video</c>, <c>document</c> or <c>sticker</c>.</summary>
    [Id(0)] public required string Kind { get; init; }

    /// <summary>WhatsApp's media id (valid for 7 days), used to download the file.</summary>
    [Id(1)] public required string MediaId { get; init; }

    [Id(2)] public string? MimeType { get; init; }

    /// <summary>The file's SHA-256 as WhatsApp announced it (base64), checked after download.</summary>
    [Id(3)] public string? Sha256 { get; init; }

    [Id(4)] public string? Caption { get; init; }

    /// <summary>For documents: the file name the citizen sent.</summary>
    [Id(5)] public string? FileName { get; init; }

    /// <summary>For audio: a voice note recorded in WhatsApp rather than a sent file.</summary>
    [Id(6)] public bool Voice { get; init; }

    /// <summary>For stickers: animated.</summary>
    [Id(7)] public bool Animated { get; init; }

    [Id(8)] public MediaStatus Status { get; init; }

    /// <summary>The blob that holds the file once stored.</summary>
    [Id(9)] public string? BlobName { get; init; }

    [Id(10)] public long? SizeBytes { get; init; }

    /// <summary>Why the file could not be stored, in words staff understand.</summary>
    [Id(11)] public string? FailureReason { get; init; }

    [Id(12)] public int FailedAttempts { get; init; }
}

/// <summary>A location the citizen shared.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.SharedLocation")]
public sealed record SharedLocation(
    [property: Id(0)] double Latitude,
    [property: Id(1)] double Longitude,
    [property: Id(2)] string? Name,
    [property: Id(3)] string? Address,
    [property: Id(4)] string? Url);

/// <summary>A contact card the citizen shared.</summary>
/// <param name="FormattedName">The contact's name as shown.</param>
/// <param name="PhoneNumbers">The card's phone numbers, as written on it.</param>
/// <param name="Emails">The card's e-mail addresses.</param>
/// <param name="Organization">The card's company, if any.</param>
[GenerateSerializer, Immutable, Alias("goldbach.SharedContact")]
public sealed record SharedContact(
    [property: Id(0)] string? FormattedName,
    [property: Id(1)] ImmutableArray<string> PhoneNumbers,
    [property: Id(2)] ImmutableArray<string> Emails,
    [property: Id(3)] string? Organization);

/// <summary>A tap on an interactive reply button, a list row, or a template's quick-reply button.</summary>
/// <param name="Kind"><c>button_reply</c>, <c>list_reply</c> or <c>button</c> (template quick reply).</param>
/// <param name="Id">The id (or, for templates, the payload) the town gave the button or row.</param>
/// <param name="Title">What the button or row said.</param>
/// <param name="Description">A list row's description.</param>
[GenerateSerializer, Immutable, Alias("goldbach.ButtonReply")]
public sealed record ButtonReply(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Id,
    [property: Id(2)] string? Title,
    [property: Id(3)] string? Description);

/// <summary>A reaction to a message; <see cref="Emoji"/> null means the citizen removed their reaction.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.Reaction")]
public sealed record Reaction(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string? Emoji);

/// <summary>A citizen's edit of an earlier message (WhatsApp allows it for 15 minutes): which message, and its new text.</summary>
/// <param name="OriginalMessageId">The wamid of the message edited.</param>
/// <param name="Text">The new text (or caption).</param>
[GenerateSerializer, Immutable, Alias("goldbach.MessageEdit")]
public sealed record MessageEdit(
    [property: Id(0)] string OriginalMessageId,
    [property: Id(1), MessageContent] string? Text);

/// <summary>
/// The message another one refers to (a reply's quote, a reaction's or an edit's target), as it stood when the
/// reference was recorded: kept on the referring message, so that it shows even once the target is archived.
/// </summary>
/// <param name="MessageId">The target's wamid.</param>
/// <param name="FromTown">The town sent the target (an acknowledgement, a reply); else the citizen did.</param>
/// <param name="Preview">The start of the target's text (or its type), null when unknown or deleted.</param>
[GenerateSerializer, Immutable, Alias("goldbach.QuotedMessage")]
public sealed record QuotedMessage(
    [property: Id(0)] string MessageId,
    [property: Id(1)] bool FromTown,
    [property: Id(2), MessageContent] string? Preview);

/// <summary>WhatsApp's notice that the citizen changed their phone number or their business-scoped user id.</summary>
/// <param name="Kind"><c>user_changed_number</c>, <c>user_changed_user_id</c>, or what else WhatsApp sent.</param>
/// <param name="Body">WhatsApp's text of the notice.</param>
/// <param name="NewWaId">The new <c>wa_id</c> (phone number digits), for a number change.</param>
/// <param name="NewUserId">The new BSUID, for a user id change.</param>
[GenerateSerializer, Immutable, Alias("goldbach.SystemNotice")]
public sealed record SystemNotice(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Body,
    [property: Id(2)] string? NewWaId,
    [property: Id(3)] string? NewUserId);

/// <summary>An error as Meta reports it: build on the code and details, not on the title.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.WhatsAppError")]
public sealed record WhatsAppError(
    [property: Id(0)] int Code,
    [property: Id(1)] string? Title,
    [property: Id(2)] string? Details);

/// <summary>The ad or post a Click-to-WhatsApp message came from.</summary>
[GenerateSerializer, Immutable, Alias("goldbach.Referral")]
public sealed record Referral(
    [property: Id(0)] string? SourceUrl,
    [property: Id(1)] string? SourceType,
    [property: Id(2)] string? Headline,
    [property: Id(3)] string? Body);

/// <summary>A status webhook about a message the town sent.</summary>
/// <param name="WhatsAppMessageId">The wamid of the town's message.</param>
/// <param name="Status"><c>sent</c>, <c>delivered</c>, <c>read</c>, <c>failed</c>, <c>played</c>, or what else WhatsApp sent.</param>
/// <param name="At">WhatsApp's timestamp.</param>
/// <param name="Errors">For <c>failed</c>: why.</param>
[GenerateSerializer, Immutable, Alias("goldbach.DeliveryReport")]
public sealed record DeliveryReport(
    [property: Id(0)] string WhatsAppMessageId,
    [property: Id(1)] string Status,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] ImmutableArray<WhatsAppError> Errors)
{
    /// <summary>A status is a duplicate of another with the same wamid and status.</summary>
    public string DeduplicationKey => $"{WhatsAppMessageId}#{Status}";

    /// <summary>
    /// The town's own id of the message (from the callback data it attached), which finds a message whose send
    /// timed out before the Graph API returned its wamid.
    /// </summary>
    [Id(4)] public string? OutboundId { get; init; }
}
