using System.Collections.Immutable;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.History;
using GoldbachActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>History pages in Azure Table storage (Azurite), including pages larger than one entity may be.</summary>
public sealed class HistoryStoreTests : IAsyncLifetime
{
    private Azurite _azurite = null!;

    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    private AzureTableConversationHistoryStore Store(out TableServiceClient tables)
    {
        tables = new TableServiceClient(_azurite.ConnectionString);
        var serializer = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(CitizenState).Assembly).AddAssembly(typeof(InboundMessage).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer<HistoryPage>>();
        return new AzureTableConversationHistoryStore(tables, serializer);
    }

    private static HistoryPage Page(int number, int messages, int textLength, string prefix = "", char? fill = null) => new(
        number,
        [.. Enumerable.Range(0, messages).Select(i => new InboundMessage(
            $"wamid.{number}.{i}", DateTimeOffset.UnixEpoch.AddMinutes(i), "text", prefix + i + new string(fill ?? (char)('a' + (i % 26)), textLength), "+4915112345678", null))],
        [],
        [new ConversationEvent(DateTimeOffset.UnixEpoch, "staff-01", ConversationEventKind.StatusChanged, "Open", "Resolved")]);

    [Fact]
    public async Task A_page_larger_than_an_entity_is_stored_across_rows_and_read_back_whole()
    {
        var store = Store(out var tables);
        var citizen = CitizenKey.Create("106540352242922", "DE.pages1");
        // 100 messages of 4,096 three-byte characters: about 1.2 MB serialized, more than the 1 MiB entity limit.
        var page = Page(1, 100, 4096, "Größe ÄÖÜ ✓ ", '✓');

        await store.WritePageAsync(citizen, page, CancellationToken.None);
        var read = await store.ReadPageAsync(citizen, 1, CancellationToken.None);

        Assert.Equal(page.Inbound.Select(m => m.Text), read!.Inbound.Select(m => m.Text));
        Assert.Equal(page.Events.ToArray(), read.Events.ToArray());
        var rows = tables.GetTableClient("ConversationHistory").QueryAsync<TableEntity>(e => e.PartitionKey == citizen.StorageKey);
        var count = 0;
        await foreach (var _ in rows)
        {
            count++;
        }
        Assert.True(count >= 2, $"{count} rows");
    }

    [Fact]
    public async Task Rewriting_a_page_smaller_replaces_it_and_deleting_removes_every_page_of_that_citizen_only()
    {
        var store = Store(out _);
        var citizen = CitizenKey.Create("106540352242922", "DE.pages2");
        var neighbour = CitizenKey.Create("106540352242922", "DE.pages3");
        await store.WritePageAsync(citizen, Page(1, 25, 4096), CancellationToken.None);
        await store.WritePageAsync(citizen, Page(2, 3, 10), CancellationToken.None);
        await store.WritePageAsync(neighbour, Page(1, 2, 10), CancellationToken.None);

        await store.WritePageAsync(citizen, Page(1, 2, 10), CancellationToken.None);
        Assert.Equal(2, (await store.ReadPageAsync(citizen, 1, CancellationToken.None))!.Inbound.Length);
        Assert.Null(await store.ReadPageAsync(citizen, 3, CancellationToken.None));

        await store.DeleteAllAsync(citizen, CancellationToken.None);
        await store.DeleteAllAsync(citizen, CancellationToken.None);

        Assert.Null(await store.ReadPageAsync(citizen, 1, CancellationToken.None));
        Assert.Null(await store.ReadPageAsync(citizen, 2, CancellationToken.None));
        Assert.NotNull(await store.ReadPageAsync(neighbour, 1, CancellationToken.None));
    }
}
