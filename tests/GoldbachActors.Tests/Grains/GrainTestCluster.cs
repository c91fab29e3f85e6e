using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains;
using GoldbachActors.Grains.Domain;
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

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddMemoryGrainStorage(StorageNames.Citizens));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddSingleton<IWhatsAppSender>(Sender);
            host.Services.AddSingleton<IConversationIndexStore>(Index);
            // Media are covered end to end against Azurite and the stand-in; these tests send none.
            host.Services.AddSingleton(new MediaDownloader(new NoMediaClient(), new BlobServiceClient("UseDevelopmentStorage=true")));
            host.Services.AddSingleton(TimeProvider.System);
            host.Services.AddSingleton<TenantCalendars>();
            host.Services.AddSingleton(new Triage());
            host.Services.Configure<GoldbachOptions>(o =>
                o.Tenants[Tenant] = new TenantOptions { Name = "Markt Goldbach", AcknowledgementText = AcknowledgementText });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public ICitizenGrain Citizen(string identity) => Client.GetGrain<ICitizenGrain>(CitizenKey.Create(Tenant, identity).GrainKey);

    public static InboundMessage Text(string text, DateTimeOffset? at = null, string? wamid = null, string? phone = "+4915112345678") =>
        new(wamid ?? $"wamid.{Guid.NewGuid():N}", at ?? DateTimeOffset.UtcNow, "text", text, phone, "Erika");
}

/// <summary>A Graph API double: records what is sent and fails on demand.</summary>
public sealed class RecordingSender : IWhatsAppSender
{
    private readonly ConcurrentQueue<Func<WhatsAppApiException?>> _outcomes = new();

    public ConcurrentQueue<(string PhoneNumberId, WhatsAppRecipient Recipient, string Text, string Wamid)> Sent { get; } = new();

    /// <summary>The next sends fail with these errors, in order; later ones succeed.</summary>
    public void FailNext(params WhatsAppApiException[] errors)
    {
        foreach (var error in errors)
        {
            _outcomes.Enqueue(() => error);
        }
    }

    public IReadOnlyList<string> TextsTo(string phone) => [.. Sent.Where(s => s.Recipient.PhoneNumber == phone).Select(s => s.Text)];

    public ConcurrentQueue<string?> CallbackData { get; } = new();

    public Task<string> SendTextAsync(string phoneNumberId, WhatsAppRecipient recipient, string text, string? callbackData, CancellationToken cancellationToken)
    {
        if (_outcomes.TryDequeue(out var outcome) && outcome() is { } error)
        {
            throw error;
        }
        var wamid = $"wamid.{Guid.NewGuid():N}";
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
