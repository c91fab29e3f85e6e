using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// What a citizen grain tells operators: its metrics and its log events (numbers only as keyed hashes, marked
/// <see cref="PersonalIdentifierAttribute"/>; no texts), logged under the grain's category.
/// </summary>
public sealed partial class CitizenDiagnostics(GoldbachMetrics metrics, ILogger<CitizenGrain> logger)
{
    public GoldbachMetrics Metrics => metrics;

    /// <summary>A consent change, counted and logged.</summary>
    public void Consent(string? listId, ConsentAction action, ConsentChannel channel)
    {
        metrics.Consent(listId, action, channel);
        LogConsentChange(listId, action, channel);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast list {ListId}: consent {Action} by {Channel}")]
    private partial void LogConsentChange(string? listId, ConsentAction action, ConsentChannel channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meta refused to change a block (block: {Block}, Meta's code {Code})")]
    public partial void LogBlockRefused(bool block, int? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marking the citizen's message read at WhatsApp failed (typing indicator: {Typing}, Meta's code {Code}); the next opening tries again")]
    public partial void LogReadReceiptFailed(bool typing, int? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A broadcast was not told of a delivery change ({Error}); it asks again after a restart")]
    public partial void LogBroadcastReportFailed(string error);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Erasure {ErasureId} ({Reason}) done: {Messages} messages, {MediaFiles} media files")]
    public partial void LogErased(string erasureId, ErasureReason reason, int messages, int mediaFiles);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention {ErasureId}: {Conversations} earlier conversations deleted ({Messages} messages, {MediaFiles} media files), the later one kept")]
    public partial void LogConversationsExpired(string erasureId, int conversations, int messages, int mediaFiles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure {ErasureId} not finished ({Error}); its reminder finishes it")]
    public partial void LogErasureIncomplete(string erasureId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound message {OutboundId} ({Kind}) to citizen {Citizen} accepted by the Graph API")]
    public partial void LogSent(string outboundId, OutboundKind kind, [PersonalIdentifier] string citizen);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Outbound message {OutboundId} to citizen {Citizen} not accepted: Meta code {MetaCode}, HTTP {HttpStatus}, transient {Transient}, ambiguous {Ambiguous}, attempt {Attempt}")]
    public partial void LogSendFailed(string outboundId, [PersonalIdentifier] string citizen, int? metaCode, int? httpStatus, bool transient, bool ambiguous, int attempt);

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "OPERATOR: the Graph API refused a send for the access token or the app's permissions (Meta code {MetaCode}, HTTP {HttpStatus}); nothing goes out until this is fixed")]
    public partial void LogOperatorAlert(int metaCode, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media ({Kind}) not stored: transient {Transient}, attempt {Attempt}")]
    public partial void LogMediaFailed(string kind, bool transient, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Status report '{Status}' names no message of this citizen; noted and ignored")]
    public partial void LogUnmatchedReport(string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Danger reported by citizen {Citizen} (category {Category}): the conversation is urgent and due now")]
    public partial void LogEscalated([PersonalIdentifier] string citizen, string? category);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History page not archived yet; it stays in the grain state and is tried again")]
    public partial void LogArchiveFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A citizen's new identity was folded into their conversation ({Messages} messages moved)")]
    public partial void LogIdentityFolded(int messages);

    [LoggerMessage(Level = LogLevel.Information, Message = "A redelivered message of erased citizen {Citizen} was dropped (it stays erased)")]
    public partial void LogErasedRedelivery([PersonalIdentifier] string citizen);
}
