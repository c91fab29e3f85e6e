using System.CommandLine;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;

namespace GoldbachActors.Cli;

/// <summary>
/// <c>goldbach dead-letters</c>: the operator's view of webhooks whose replay kept failing (table
/// <c>WebhookDeadLetters</c>): list them (no content: it is personal data), put one back into the journal for the
/// gateways to replay, or drop it. Talks to storage directly (<c>--storage</c>, else <c>ConnectionStrings__Storage</c>,
/// else the local Azurite).
/// </summary>
internal static class DeadLetterCommands
{
    private static readonly Option<string?> StorageOption = new("--storage")
    {
        Description = "The storage account's connection string (default: ConnectionStrings__Storage, else the local Azurite).",
        Recursive = true,
    };

    public static Command Build()
    {
        var id = new Argument<string>("id") { Description = "The dead letter's id, as the list shows it." };
        var yes = new Option<bool>("--yes") { Description = "Confirm: the webhook is deleted for good." };
        var retry = new Command("retry", "Put a dead letter back into the webhook journal: the gateways replay it within a minute or two.") { id };
        retry.SetAction((parse, ct) => RunAsync(parse, async table =>
        {
            var letter = await FindAsync(table, parse.GetValue(id)!, ct);
            if (letter is null)
            {
                return 1;
            }
            var journal = new TableServiceClient(ConnectionString(parse)).GetTableClient(WebhookJournalTables.Journal);
            await journal.CreateIfNotExistsAsync(ct);
            var copy = new TableEntity("replayed", $"{DateTime.UtcNow.Ticks:D19}-{Guid.NewGuid():N}");
            foreach (var (name, value) in letter.Where(p => p.Key.StartsWith("Body", StringComparison.Ordinal) || p.Key is "Chunks" or "Count"))
            {
                copy[name] = value;
            }
            await journal.AddEntityAsync(copy, ct);
            await table.DeleteEntityAsync(letter.PartitionKey, letter.RowKey, ETag.All, ct);
            Console.WriteLine($"Dead letter {letter.RowKey} is back in the journal; the gateways replay it shortly.");
            return 0;
        }));
        var drop = new Command("drop", "Delete a dead letter for good (its messages are then never recorded).") { id, yes };
        drop.SetAction((parse, ct) => RunAsync(parse, async table =>
        {
            if (!parse.GetValue(yes))
            {
                Console.Error.WriteLine("Add --yes: the webhook is deleted for good.");
                return 1;
            }
            var letter = await FindAsync(table, parse.GetValue(id)!, ct);
            if (letter is null)
            {
                return 1;
            }
            await table.DeleteEntityAsync(letter.PartitionKey, letter.RowKey, ETag.All, ct);
            Console.WriteLine($"Dead letter {letter.RowKey} dropped.");
            return 0;
        }));
        var command = new Command("dead-letters", "Webhooks whose replay kept failing: list them, retry one, or drop one. Operators.") { retry, drop };
        command.Options.Add(StorageOption);
        command.SetAction((parse, ct) => RunAsync(parse, async table =>
        {
            var count = 0;
            await foreach (var letter in table.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                var written = letter.GetDateTimeOffset("WrittenAt") ?? letter.Timestamp ?? DateTimeOffset.MinValue;
                var town = TownTime.Local(written);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{letter.RowKey}  {town:yyyy-MM-dd HH:mm} {TownTime.ZoneName(written)}  {letter.GetInt32("Attempts") ?? 0} attempts  {letter.GetString("Reason")}"));
                count++;
            }
            Console.WriteLine(count == 0 ? "No dead letters." : $"{count} dead letter(s): 'dead-letters retry ID' puts one back, 'dead-letters drop ID --yes' deletes it.");
            return 0;
        }));
        return command;
    }

    private static string ConnectionString(ParseResult parse) =>
        parse.GetValue(StorageOption) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Storage") ?? "UseDevelopmentStorage=true";

    private static async Task<TableEntity?> FindAsync(TableClient table, string id, CancellationToken ct)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>("dead", id, cancellationToken: ct);
        if (!found.HasValue)
        {
            Console.Error.WriteLine($"No dead letter {id}: see 'dead-letters' for the ids.");
            return null;
        }
        return found.Value;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<TableClient, Task<int>> action)
    {
        try
        {
            var table = new TableServiceClient(ConnectionString(parse)).GetTableClient(WebhookJournalTables.DeadLetters);
            await table.CreateIfNotExistsAsync();
            return await action(table);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"Storage could not be used ({ex.GetType().Name}: {ex.Message.Split('\n')[0]}). Check --storage.");
            return CliCommands.Unreachable;
        }
    }
}
