using Azure;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;

namespace GoldbachActors.Grains.Inbox;

/// <summary>
/// The inbox index in an Azure Table: partition = tenant, row = citizen identity. Writes go in entity-group
/// transactions of up to 100 rows, so a busy inbox writes many conversations in one round trip.
/// </summary>
public sealed class AzureTableConversationIndexStore(TableServiceClient tables, string tableName = "ConversationIndex")
    : IConversationIndexStore
{
    private const int MaxTransactionSize = 100;
    private readonly StorageSetup<TableClient> _table = StorageSetup.Table(tables, tableName);

    public async Task<IReadOnlyList<ConversationSummary>> LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        var result = new List<ConversationSummary>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == tenant, cancellationToken: cancellationToken))
        {
            result.Add(new ConversationSummary
            {
                CitizenKey = CitizenKey.Create(tenant, entity.RowKey).GrainKey,
                DisplayName = entity.GetString(nameof(ConversationSummary.DisplayName)),
                PhoneNumber = entity.GetString(nameof(ConversationSummary.PhoneNumber)),
                Username = entity.GetString(nameof(ConversationSummary.Username)),
                Status = (ConversationStatus)(entity.GetInt32(nameof(ConversationSummary.Status)) ?? 0),
                LastMessageAt = entity.GetDateTimeOffset(nameof(ConversationSummary.LastMessageAt)) ?? default,
                LastMessagePreview = entity.GetString(nameof(ConversationSummary.LastMessagePreview)),
                Revision = entity.GetInt64(nameof(ConversationSummary.Revision)) ?? 0,
                Category = entity.GetString(nameof(ConversationSummary.Category)),
                Urgent = entity.GetBoolean(nameof(ConversationSummary.Urgent)) ?? false,
                DueAt = entity.GetDateTimeOffset(nameof(ConversationSummary.DueAt)),
                SnoozedUntil = entity.GetDateTimeOffset(nameof(ConversationSummary.SnoozedUntil)),
                Section = (InboxSection)(entity.GetInt32(nameof(ConversationSummary.Section)) ?? 0),
                Flooding = entity.GetBoolean(nameof(ConversationSummary.Flooding)) ?? false,
                Language = entity.GetString(nameof(ConversationSummary.Language)),
                WindowClosesAt = entity.GetDateTimeOffset(nameof(ConversationSummary.WindowClosesAt)),
                Assignee = entity.GetString(nameof(ConversationSummary.Assignee)),
                Priority = (ConversationPriority)(entity.GetInt32(nameof(ConversationSummary.Priority)) ?? 0),
                Unread = entity.GetBoolean(nameof(ConversationSummary.Unread)) ?? false,
                FailedMessages = entity.GetInt32(nameof(ConversationSummary.FailedMessages)) ?? 0,
                ResolvedAt = entity.GetDateTimeOffset(nameof(ConversationSummary.ResolvedAt)),
                Ended = entity.GetString(nameof(ConversationSummary.Ended)) is { } ended
                    ? System.Text.Json.JsonSerializer.Deserialize<System.Collections.Immutable.ImmutableArray<EndedConversation>>(ended)
                    : [],
            });
        }
        return result;
    }

    public async Task UpsertAsync(
        string tenant, IReadOnlyCollection<ConversationSummary> summaries, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        foreach (var chunk in summaries.Chunk(MaxTransactionSize))
        {
            var actions = chunk.Select(summary => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace, ToEntity(tenant, summary)));
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }

    public async Task DeleteAsync(string tenant, string citizenGrainKey, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync();
        await table.DeleteEntityAsync(tenant, CitizenKey.ParseGrainKey(citizenGrainKey).Identity, ETag.All, cancellationToken);
    }

    private static TableEntity ToEntity(string tenant, ConversationSummary summary)
    {
        var key = CitizenKey.ParseGrainKey(summary.CitizenKey);
        if (key.Tenant != tenant)
        {
            throw new ArgumentException("A summary belongs to another tenant.", nameof(summary));
        }
        return new TableEntity(tenant, key.Identity)
        {
            [nameof(ConversationSummary.DisplayName)] = summary.DisplayName,
            [nameof(ConversationSummary.PhoneNumber)] = summary.PhoneNumber,
            [nameof(ConversationSummary.Username)] = summary.Username,
            [nameof(ConversationSummary.Status)] = (int)summary.Status,
            [nameof(ConversationSummary.LastMessageAt)] = summary.LastMessageAt,
            [nameof(ConversationSummary.LastMessagePreview)] = summary.LastMessagePreview,
            [nameof(ConversationSummary.Revision)] = summary.Revision,
            [nameof(ConversationSummary.Category)] = summary.Category,
            [nameof(ConversationSummary.Urgent)] = summary.Urgent,
            [nameof(ConversationSummary.DueAt)] = summary.DueAt,
            [nameof(ConversationSummary.SnoozedUntil)] = summary.SnoozedUntil,
            [nameof(ConversationSummary.Section)] = (int)summary.Section,
            [nameof(ConversationSummary.Flooding)] = summary.Flooding,
            [nameof(ConversationSummary.Language)] = summary.Language,
            [nameof(ConversationSummary.WindowClosesAt)] = summary.WindowClosesAt,
            [nameof(ConversationSummary.Assignee)] = summary.Assignee,
            [nameof(ConversationSummary.Priority)] = (int)summary.Priority,
            [nameof(ConversationSummary.Unread)] = summary.Unread,
            [nameof(ConversationSummary.FailedMessages)] = summary.FailedMessages,
            [nameof(ConversationSummary.ResolvedAt)] = summary.ResolvedAt,
            // Numbers, times and categories only (no personal data beyond what the row holds anyway), as JSON.
            [nameof(ConversationSummary.Ended)] = summary.Ended.IsDefaultOrEmpty ? null : System.Text.Json.JsonSerializer.Serialize(summary.Ended),
        };
    }
}
