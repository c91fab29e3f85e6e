using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>A message the Graph API stand-in accepted: what a citizen's phone would receive.</summary>
public sealed record SentMessage(
    string Id, string PhoneNumberId, string? To, string? Recipient, string Type, string? Text, DateTimeOffset AcceptedAt, JsonObject Body);

/// <summary>Every message accepted since start, in order. In memory: the stand-in keeps nothing on disk.</summary>
public sealed class SentMessageLog
{
    private readonly ConcurrentQueue<SentMessage> _messages = new();

    public void Add(SentMessage message) => _messages.Enqueue(message);

    public IReadOnlyList<SentMessage> List(string? to) =>
        [.. _messages.Where(m => to is null || m.To == to || m.Recipient == to)];
}

/// <summary>A mark-as-read call the stand-in accepted (the citizen's blue ticks), with or without the typing indicator.</summary>
public sealed record ReadReceipt(string PhoneNumberId, string MessageId, bool Typing, DateTimeOffset At);

/// <summary>Every mark-as-read call accepted since start, in order.</summary>
public sealed class ReadReceiptLog
{
    private readonly ConcurrentQueue<ReadReceipt> _receipts = new();

    public void Add(ReadReceipt receipt) => _receipts.Enqueue(receipt);

    public IReadOnlyList<ReadReceipt> List(string? messageId = null) =>
        [.. _receipts.Where(r => messageId is null || r.MessageId == messageId)];
}
