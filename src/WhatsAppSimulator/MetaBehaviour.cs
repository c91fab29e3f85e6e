using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsAppSimulator;

/// <summary>
/// Faults to inject, set at run time (<c>POST /simulator/faults</c>) so that tests and demos can make the Graph API
/// misbehave as Meta's does: a share of errors (HTTP 500 with code 131000, 503 with code 2, 429 with code 130429), a
/// share of sends accepted but answered 500, a share of timeouts (the message is accepted but the answer comes too late), slow answers, a full outage.
/// </summary>
public sealed record FaultPlan
{
    /// <summary>Share (0–1) of sends refused with a transient error before anything is processed.</summary>
    public double ErrorShare { get; init; }

    /// <summary>Share (0–1) of sends accepted whose answer is held for <see cref="TimeoutDelay"/>.</summary>
    public double TimeoutShare { get; init; }

    public TimeSpan TimeoutDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Share (0–1) of sends accepted (the citizen gets them, statuses follow) but answered HTTP 500 with code 131000,
    /// as when Meta's back end fails after taking the message.
    /// </summary>
    public double AcceptedErrorShare { get; init; }

    /// <summary>Share (0–1) of sends answered after <see cref="SlowDelay"/>.</summary>
    public double SlowShare { get; init; }

    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>For this many seconds from now every send is refused (HTTP 503, code 2).</summary>
    public double OutageSeconds { get; init; }
}

/// <summary>
/// What the stand-in enforces besides the request's shape, as Meta does: the 24-hour window (131047), the business
/// number's throughput (130429) and the per-recipient pace (131056); plus the injected faults. Thread-safe.
/// </summary>
public sealed class MetaBehaviour(IOptions<SimulatorOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastInbound = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (double Tokens, DateTimeOffset At)> _recipients = new(StringComparer.Ordinal);
    // Meta's throughput is per business phone number: each number's accepted sends of the last second.
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentAccepts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _refusals = new();
    private readonly object _gate = new();
    private FaultPlan _faults = new();
    private DateTimeOffset _outageUntil;

    /// <summary>Whether the 24-hour window is checked (off for tests that post citizens' webhooks past the stand-in).</summary>
    public bool EnforceWindow { get; set; } = options.Value.EnforceWindow;

    /// <summary>Whether status webhooks (sent, delivered, read) are posted back.</summary>
    public bool StatusWebhooks { get; set; } = options.Value.StatusWebhooks;

    /// <summary>The business number's throughput (0: unlimited).</summary>
    public int MessagesPerSecond { get; set; } = options.Value.MessagesPerSecond;

    public FaultPlan Faults
    {
        get => _faults;
        set
        {
            _faults = value ?? new FaultPlan();
            _outageUntil = _faults.OutageSeconds > 0 ? time.GetUtcNow().AddSeconds(_faults.OutageSeconds) : default;
        }
    }

    /// <summary>How often the stand-in refused with each Meta code (injected faults included).</summary>
    public IReadOnlyDictionary<int, int> Refusals => _refusals;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _blocked = new(StringComparer.Ordinal);

    /// <summary>Meta's limit of the block list.</summary>
    public const int MaxBlocked = 64_000;

    /// <summary>
    /// Blocks or unblocks a user as Meta's Block Users API does: blocking only someone who wrote in the last 24 hours
    /// (131047) and within the list's limit (139101); unblocking anyone. Null when done, else (code, message).
    /// </summary>
    public (int Code, string Message)? ChangeBlock(string user, bool block)
    {
        if (!block)
        {
            _blocked.TryRemove(user, out _);
            return null;
        }
        if (!_lastInbound.TryGetValue(user, out var wrote) || time.GetUtcNow() - wrote > TimeSpan.FromHours(24))
        {
            return (131047, "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
        }
        if (_blocked.Count >= MaxBlocked && !_blocked.ContainsKey(user))
        {
            return (139101, "Blocklist limit reached.");
        }
        _blocked[user] = time.GetUtcNow();
        return null;
    }

    /// <summary>Whether the user is on the business's block list.</summary>
    public bool IsBlocked(string user) => _blocked.ContainsKey(user);

    /// <summary>The citizen wrote (through the stand-in): their 24-hour window opens.</summary>
    public void CitizenWrote(string waId, string userId)
    {
        var now = time.GetUtcNow();
        _lastInbound["+" + waId] = now;
        _lastInbound[userId] = now;
    }

    /// <summary>An injected fault for this request before anything is processed, if any: (HTTP status, code, text).</summary>
    public (int Status, int Code, string Message)? FaultBeforeProcessing()
    {
        if (time.GetUtcNow() < _outageUntil)
        {
            return Refuse(503, 2, "Service temporarily unavailable");
        }
        if (_faults.ErrorShare > 0 && Random.Shared.NextDouble() < _faults.ErrorShare)
        {
            return Random.Shared.Next(3) switch
            {
                0 => Refuse(500, 131000, "Something went wrong"),
                1 => Refuse(503, 2, "Service temporarily unavailable"),
                _ => Refuse(429, 130429, "Rate limit hit"),
            };
        }
        return null;
    }

    /// <summary>Meta's rules for a valid request: the window (free text only), the number's throughput, per-recipient pace.</summary>
    public (int Status, int Code, string Message)? Refusal(string phoneNumberId, string recipient, bool freeText)
    {
        var now = time.GetUtcNow();
        if (freeText && EnforceWindow && (!_lastInbound.TryGetValue(recipient, out var last) || now - last > TimeSpan.FromHours(24)))
        {
            return Refuse(400, 131047, "Re-engagement message");
        }
        lock (_gate)
        {
            if (!_recentAccepts.TryGetValue(phoneNumberId, out var accepts))
            {
                _recentAccepts[phoneNumberId] = accepts = new Queue<DateTimeOffset>();
            }
            while (accepts.Count > 0 && now - accepts.Peek() >= TimeSpan.FromSeconds(1))
            {
                accepts.Dequeue();
            }
            if (MessagesPerSecond > 0 && accepts.Count >= MessagesPerSecond)
            {
                return Refuse(400, 130429, "Rate limit hit");
            }
            var limit = options.Value;
            var (tokens, at) = _recipients.GetValueOrDefault(recipient, (limit.PerRecipientBurst, now));
            tokens = Math.Min(limit.PerRecipientBurst, tokens + ((now - at) / limit.PerRecipientEvery));
            if (tokens < 1)
            {
                return Refuse(400, 131056, "(Business Account, Consumer Account) pair rate limit hit");
            }
            _recipients[recipient] = (tokens - 1, now);
            accepts.Enqueue(now);
        }
        return null;
    }

    /// <summary>Whether an accepted send is answered with an error all the same (an injected fault).</summary>
    public (int Status, int Code, string Message)? FaultAfterAccepting() =>
        _faults.AcceptedErrorShare > 0 && Random.Shared.NextDouble() < _faults.AcceptedErrorShare
            ? Refuse(500, 131000, "Something went wrong")
            : null;

    /// <summary>How long to hold the answer of an accepted send (a timeout or a slow answer), if at all.</summary>
    public TimeSpan AnswerDelay()
    {
        if (_faults.TimeoutShare > 0 && Random.Shared.NextDouble() < _faults.TimeoutShare)
        {
            return _faults.TimeoutDelay;
        }
        return _faults.SlowShare > 0 && Random.Shared.NextDouble() < _faults.SlowShare ? _faults.SlowDelay : TimeSpan.Zero;
    }

    /// <summary>When and with which code the stand-in refused, newest last.</summary>
    public IReadOnlyList<(DateTimeOffset At, int Code)> RefusalLog => [.. _refusalLog];

    private readonly ConcurrentQueue<(DateTimeOffset, int)> _refusalLog = new();

    private (int, int, string) Refuse(int status, int code, string message)
    {
        _refusals.AddOrUpdate(code, 1, (_, n) => n + 1);
        _refusalLog.Enqueue((time.GetUtcNow(), code));
        return (status, code, message);
    }
}
