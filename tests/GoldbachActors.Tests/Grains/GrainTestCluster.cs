using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Inbox;
using GoldbachActors.Grains.Media;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace GoldbachActors.Tests.Grains;

/// <summary>
/// Orleans' in-process test cluster with the grains' real logic. The Graph API and the index table are replaced by
/// in-memory doubles here only: the end-to-end tests run the same grains against Azurite and the stand-in.
/// </summary>
public sealed class GrainTestCluster : IAsyncLifetime
{
    public const string Tenant = "106540352242922";
    public const string AcknowledgementText = "Vielen Dank für Ihre Nachricht an den Markt Goldbach!";

    public RecordingSender Sender { get; } = new();

    public InMemoryIndexStore Index { get; } = new();

    public InMemoryHistoryStore History { get; } = new();

    /// <summary>Tombstones of erased citizens (the Azure Table is tested end to end in DataProtectionTests).</summary>
    public InMemoryErasureTombstones Tombstones { get; } = new();

    /// <summary>The town's clock for the conversation rules (Orleans keeps the system clock).</summary>
    public ShiftedClock Clock { get; } = new();

    /// <summary>A staff number of the test tenant.</summary>
    public const string StaffNumber = "+4915199999999";

    public const string OutOfHoursText = "Danke! Wir sind am {next} wieder für Sie da.";

    /// <summary>How long a perhaps-sent message waits for a status webhook before it is sent again (short for tests).</summary>
    public static readonly TimeSpan AmbiguousSendGrace = TimeSpan.FromSeconds(2);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddMemoryGrainStorage(StorageNames.Citizens).AddMemoryGrainStorage(StorageNames.Tenants).UseInMemoryReminderService());
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddSingleton<IWhatsAppSender>(Sender);
            host.Services.AddSingleton<IConversationIndexStore>(Index);
            // Media are covered end to end against Azurite and the stand-in; these tests send none.
            host.Services.AddSingleton(new MediaDownloader(new NoMediaClient(), new BlobServiceClient("UseDevelopmentStorage=true")));
            host.Services.AddSingleton<IConversationHistoryStore>(History);
            // Erasure and broadcasts are covered end to end against Azurite; these tests never reach these tables.
            var tables = new Azure.Data.Tables.TableServiceClient("UseDevelopmentStorage=true");
            host.Services.AddSingleton<GoldbachActors.Audit.IAuditLog>(new GoldbachActors.Audit.StaffAuditLog(tables, TimeProvider.System));
            host.Services.AddSingleton<GoldbachActors.Grains.Privacy.ErasureSweep>();
            host.Services.AddSingleton<GoldbachActors.Grains.Broadcasts.IBroadcastStore>(sp => new GoldbachActors.Grains.Broadcasts.AzureTableBroadcastStore(
                tables, sp.GetRequiredService<Orleans.Serialization.Serializer<BroadcastProgress>>()));
            host.Services.AddKeyedSingleton<TimeProvider>(GoldbachClock.Key, Clock);
            host.Services.AddSingleton<TenantPolicies>();
            host.Services.AddSingleton<TenantSettingsCache>();
            host.Services.AddHostedService(sp => sp.GetRequiredService<TenantSettingsCache>());
            host.Services.AddSingleton<GoldbachActors.Grains.Privacy.IErasureTombstones>(Tombstones);
            host.Services.AddSingleton<GoldbachActors.Grains.Outbound.IOutboxRegistryStore>(new InMemoryOutboxRegistryStore());
            host.Services.AddSingleton<GoldbachActors.Grains.Telemetry.GoldbachMetrics>();
            host.Services.AddCitizenGrainServices();
            host.Services.Configure<GoldbachOptions>(o => o.Tenants[Tenant] = new TenantOptions
            {
                Name = "Markt Goldbach",
                AcknowledgementText = AcknowledgementText,
                OutOfHoursAcknowledgementText = OutOfHoursText,
                // Open around the clock except on Sundays and holidays; the clock starts on a working day.
                OfficeHours = new()
                {
                    ["Monday"] = "00:00-23:59",
                    ["Tuesday"] = "00:00-23:59",
                    ["Wednesday"] = "00:00-23:59",
                    ["Thursday"] = "00:00-23:59",
                    ["Friday"] = "00:00-23:59",
                    ["Saturday"] = "00:00-23:59",
                },
                Languages = { ["en"] = new() { AcknowledgementText = "Thank you for your message to Markt Goldbach!" } },
                StaffNumbers = [StaffNumber],
                FloodLimit = new() { Burst = 5, Every = TimeSpan.FromMinutes(1) },
                OutboundPerRecipient = new() { Burst = 20, Every = TimeSpan.FromMilliseconds(100) },
                MessagesPerSecond = 50,
                WindowTemplate = new() { Name = "bitte_melden", Language = "de", BodyParameters = ["Markt Goldbach"] },
            });
            host.Services.Configure<GraphApiOptions>(o => o.AmbiguousSendGrace = AmbiguousSendGrace);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public ICitizenGrain Citizen(string identity) => Client.GetGrain<ICitizenGrain>(CitizenKey.Create(Tenant, identity).GrainKey);

    /// <summary>A citizen's text message, sent now by the town's clock unless <paramref name="at"/> says otherwise.</summary>
    public InboundMessage Text(string text, DateTimeOffset? at = null, string? wamid = null, string? phone = "+4915112345678") =>
        new(wamid ?? $"wamid.{Guid.NewGuid():N}", at ?? Clock.GetUtcNow(), "text", text, phone, "Erika");
}

/// <summary>
/// "Now" in the town, running at real speed from a chosen instant while Orleans keeps real time. Starts on a working
/// Wednesday morning (10 June 2026, 10:00 in Goldbach), so that no test depends on the day it runs.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    public static readonly DateTimeOffset WorkingDayMorning = new(2026, 6, 10, 8, 0, 0, TimeSpan.Zero);

    private TimeSpan _offset = WorkingDayMorning - System.GetUtcNow();

    /// <summary>From now on the clock runs from <paramref name="instant"/>.</summary>
    public void MoveTo(DateTimeOffset instant) => _offset = instant - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
}

/// <summary>History pages in memory, for the grain tests only (the Azure Table store is tested against Azurite).</summary>
public sealed class InMemoryHistoryStore : IConversationHistoryStore
{
    private readonly ConcurrentDictionary<(string Citizen, int Number), HistoryPage> _pages = new();

    private int _writes;

    public int Writes => _writes;

    private readonly ConcurrentDictionary<string, bool> _failing = new();

    public int PagesOf(CitizenKey citizen) => _pages.Keys.Count(k => k.Citizen == citizen.StorageKey);

    /// <summary>Page writes for this citizen fail as in a storage outage until <see cref="Recover"/>.</summary>
    public void FailFor(CitizenKey citizen) => _failing[citizen.StorageKey] = true;

    public void Recover(CitizenKey citizen) => _failing.TryRemove(citizen.StorageKey, out _);

    public Task WritePageAsync(CitizenKey citizen, HistoryPage page, CancellationToken cancellationToken)
    {
        if (_failing.ContainsKey(citizen.StorageKey))
        {
            throw new Azure.RequestFailedException(503, "Storage is unavailable (test).");
        }
        Interlocked.Increment(ref _writes);
        _pages[(citizen.StorageKey, page.Number)] = page;
        return Task.CompletedTask;
    }

    public Task<HistoryPage?> ReadPageAsync(CitizenKey citizen, int number, CancellationToken cancellationToken) =>
        Task.FromResult(_pages.GetValueOrDefault((citizen.StorageKey, number)));

    public Task DeleteAllAsync(CitizenKey citizen, CancellationToken cancellationToken)
    {
        foreach (var key in _pages.Keys.Where(k => k.Citizen == citizen.StorageKey))
        {
            _pages.TryRemove(key, out _);
        }
        return Task.CompletedTask;
    }
}

/// <summary>A Graph API double: records what is sent and fails on demand.</summary>
public sealed class RecordingSender : IWhatsAppSender
{
    // Faults by recipient (E.164): tests run in parallel on one cluster, and a fault meant for one citizen must not be
    // drawn by another's send.
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(WhatsAppApiException Error, bool Arrived)>> _outcomes = new();

    public ConcurrentQueue<(string PhoneNumberId, WhatsAppRecipient Recipient, string Text, string Wamid)> Sent { get; } = new();

    /// <summary>The next send to <paramref name="phone"/> reaches WhatsApp (it is recorded) but its answer times out: the outcome is ambiguous.</summary>
    public void AcceptThenTimeOutNext(string phone) => Faults(phone).Enqueue((new WhatsAppApiException(
        "The Graph API did not answer in time; the request may have arrived.", null, null, null, isTransient: true, isAmbiguous: true), true));

    /// <summary>The next sends to <paramref name="phone"/> fail with these errors, in order; later ones succeed.</summary>
    public void FailNext(string phone, params WhatsAppApiException[] errors)
    {
        foreach (var error in errors)
        {
            Faults(phone).Enqueue((error, false));
        }
    }

    private ConcurrentQueue<(WhatsAppApiException Error, bool Arrived)> Faults(string phone) => _outcomes.GetOrAdd(phone, _ => new());

    public IReadOnlyList<string> TextsTo(string phone) => [.. Sent.Where(s => s.Recipient.PhoneNumber == phone).Select(s => s.Text)];

    public ConcurrentQueue<string?> CallbackData { get; } = new();

    public Task<string> SendTemplateAsync(string phoneNumberId, WhatsAppRecipient recipient, WhatsAppTemplate message, string? callbackData, CancellationToken cancellationToken) =>
        SendTextAsync(phoneNumberId, recipient, $"[template {message.Name}/{message.Language}: {string.Join(", ", message.BodyParameters)}]", callbackData, cancellationToken);

    public Task<string> SendQuotingTextAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string quotedMessageId, string? callbackData, CancellationToken cancellationToken) =>
        SendTextAsync(phoneNumberId, recipient, $"[quoting {quotedMessageId}] {text}", callbackData, cancellationToken);

    public Task<string> SendReactionAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string messageId, string emoji, string? callbackData, CancellationToken cancellationToken) =>
        SendTextAsync(phoneNumberId, recipient, $"[reaction {emoji} to {messageId}]", callbackData, cancellationToken);

    public Task<string> SendLocationRequestAsync(
        string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken) =>
        SendTextAsync(phoneNumberId, recipient, $"[location request] {text}", callbackData, cancellationToken);

    public Task<BlockResult> ChangeBlockAsync(string phoneNumberId, string user, bool block, CancellationToken cancellationToken) =>
        Task.FromResult(new BlockResult(true, null, null));

    public ConcurrentQueue<(string MessageId, bool Typing)> ReadMarks { get; } = new();

    public Task MarkReadAsync(string phoneNumberId, string messageId, bool typing, CancellationToken cancellationToken)
    {
        ReadMarks.Enqueue((messageId, typing));
        return Task.CompletedTask;
    }

    public Task<string> SendTextAsync(string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken)
    {
        var wamid = $"wamid.{Guid.NewGuid():N}";
        if (recipient.PhoneNumber is { } phone && _outcomes.TryGetValue(phone, out var faults) && faults.TryDequeue(out var outcome) && outcome.Error is { } error)
        {
            if (outcome.Arrived)
            {
                // It did arrive: WhatsApp has it (and will report it); only the answer was lost.
                CallbackData.Enqueue(callbackData);
                Sent.Enqueue((phoneNumberId, recipient, text, wamid));
            }
            throw error;
        }
        CallbackData.Enqueue(callbackData);
        Sent.Enqueue((phoneNumberId, recipient, text, wamid));
        return Task.FromResult(wamid);
    }
}

/// <summary>The grain tests send no media.</summary>
public sealed class NoMediaClient : IWhatsAppMediaClient
{
    public Task<MediaLocation> LocateAsync(string mediaId, string phoneNumberId, CancellationToken cancellationToken) =>
        throw new WhatsAppApiException("no media in grain tests", 404, 100, null, isTransient: false);

    public Task<HttpResponseMessage> OpenAsync(Uri url, CancellationToken cancellationToken) =>
        throw new WhatsAppApiException("no media in grain tests", 404, 100, null, isTransient: false);
}

/// <summary>An index store in memory, for the grain tests only.</summary>
public sealed class InMemoryIndexStore : IConversationIndexStore
{
    private readonly ConcurrentDictionary<string, ConversationSummary> _rows = new();

    public int Writes { get; private set; }

    public Task<IReadOnlyList<ConversationSummary>> LoadAsync(string tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConversationSummary>>([.. _rows.Values.Where(s => s.CitizenKey.StartsWith(tenant + "/", StringComparison.Ordinal))]);

    public Task UpsertAsync(string tenant, IReadOnlyCollection<ConversationSummary> summaries, CancellationToken cancellationToken)
    {
        Writes++;
        foreach (var summary in summaries)
        {
            _rows[summary.CitizenKey] = summary;
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string tenant, string citizenGrainKey, CancellationToken cancellationToken)
    {
        _rows.TryRemove(citizenGrainKey, out _);
        return Task.CompletedTask;
    }
}

/// <summary>Erased citizens' tombstones in memory, for grain tests without storage.</summary>
/// <summary>The outbox registry's rows in memory (the Azure Table store is tested end to end against Azurite).</summary>
public sealed class InMemoryOutboxRegistryStore : GoldbachActors.Grains.Outbound.IOutboxRegistryStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<string>> _shards = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> LoadAsync(string shard, CancellationToken cancellationToken)
    {
        var rows = _shards.GetOrAdd(shard, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (rows)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. rows]);
        }
    }

    public Task WriteAsync(string shard, IReadOnlyCollection<(string CitizenKey, bool Remove)> changes, CancellationToken cancellationToken)
    {
        var rows = _shards.GetOrAdd(shard, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (rows)
        {
            foreach (var (key, remove) in changes)
            {
                _ = remove ? rows.Remove(key) : rows.Add(key);
            }
        }
        return Task.CompletedTask;
    }
}

public sealed class InMemoryErasureTombstones : GoldbachActors.Grains.Privacy.IErasureTombstones
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<CitizenKey, (GoldbachActors.Grains.Privacy.ErasureTombstone Tombstone, DateTimeOffset Expires)> _tombstones = new();

    public Task RecordAsync(IEnumerable<CitizenKey> keys, DateTimeOffset erasedAt, IEnumerable<ulong> digests)
    {
        var tombstone = new GoldbachActors.Grains.Privacy.ErasureTombstone(erasedAt, digests.ToHashSet());
        foreach (var key in keys)
        {
            _tombstones[key] = (tombstone, erasedAt + new GoldbachActors.Contracts.Configuration.BackupOptions().TombstoneLifetime);
        }
        return Task.CompletedTask;
    }

    public Task<GoldbachActors.Grains.Privacy.ErasureTombstone?> FindAsync(CitizenKey key, DateTimeOffset now) =>
        Task.FromResult(_tombstones.TryGetValue(key, out var found) && found.Expires > now ? found.Tombstone : null);

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> ErasedAmongAsync(string tenant, IEnumerable<CitizenKey> keys, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(keys
            .Where(k => k.Tenant == tenant && _tombstones.TryGetValue(k, out var found) && found.Expires > now)
            .DistinctBy(k => k.GrainKey)
            .ToDictionary(k => k.GrainKey, k => _tombstones[k].Tombstone.ErasedAt));

    public Task<int> ExpireAsync(string tenant, DateTimeOffset now) =>
        Task.FromResult(_tombstones.Where(t => t.Key.Tenant == tenant && t.Value.Expires <= now).Count(t => _tombstones.TryRemove(t.Key, out _)));
}
