using System.Diagnostics;
using Azure.Data.Tables;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Storage;
using GoldbachActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// The journal's replay when one body can never be recorded (here a grain call that always throws for it): the other
/// records are still replayed, and the poison goes to the dead letters, counted, where the operator CLI lists, retries
/// and drops it. And a webhook the gateway's lane is still recording is not replayed, however long it takes.
/// </summary>
public sealed class JournalReplayTests : IAsyncLifetime
{
    private const string Poison = "GIFTPILLE";
    private const string Slow = "LANGSAM";
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        _system.GatewaySettings.Add("--WhatsApp:Webhook:JournalMaxAttempts=2");
        _system.GatewaySettings.Add("--WhatsApp:Webhook:JournalDeadLetterAfter=00:00:03");
        _system.ConfigureHost = (name, builder) =>
        {
            if (name == "silo")
            {
                builder.Services.AddSingleton<IIncomingGrainCallFilter, PoisonFilter>();
            }
        };
        await _system.InitializeAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task A_body_that_always_fails_does_not_stop_the_replay_and_ends_in_the_dead_letters()
    {
        string[] phones = ["+4915212350001", "+4915212350002", "+4915212350003"];
        // Records that no gateway finished, as a crash leaves them: the sweeper replays them in order.
        await _system.Journal.AppendAsync(LocalSystem.TextWebhook(phones[0], "Die Ampel am Markt ist aus"));
        await _system.Journal.AppendAsync(LocalSystem.TextWebhook(phones[1], $"{Poison} im Briefkasten"));
        await _system.Journal.AppendAsync(LocalSystem.TextWebhook(phones[2], "Wann ist Sperrmüll?"));

        foreach (var phone in new[] { phones[0], phones[2] })
        {
            var conversation = await Eventually.Succeeds<Conversation, Grpc.Core.RpcException>(
                () => _system.Staff().GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync,
                TimeSpan.FromSeconds(30));
            Assert.Single(conversation.Entries, e => e.Inbound is not null);
        }

        var tables = new TableServiceClient(_system.Storage.ConnectionString);
        var deadLetters = tables.GetTableClient(WebhookJournalTables.DeadLetters);
        var journal = tables.GetTableClient(WebhookJournalTables.Journal);
        Assert.Single(await Eventually.Until(() => RowsAsync(deadLetters), rows => rows.Count > 0, TimeSpan.FromSeconds(30)));
        Assert.Empty(await Eventually.Until(() => RowsAsync(journal), rows => rows.Count == 0, TimeSpan.FromSeconds(10)));
        var metrics = await (await _system.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Matches(@"goldbach_webhook_dead_letters_total(\{[^}]*\})? 1", metrics);

        // The operator's CLI: list (no content), put it back (it fails again and returns), drop it.
        var (code, listed) = await CliAsync("dead-letters");
        Assert.Equal(0, code);
        Assert.Contains("1 dead letter(s)", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Poison, listed, StringComparison.Ordinal);
        var id = listed.Split('\n')[0].Split(' ')[0];
        Assert.Equal(0, (await CliAsync("dead-letters", "retry", id)).Code);
        Assert.Empty(await RowsAsync(deadLetters));
        Assert.Single(await RowsAsync(journal));
        var back = Assert.Single(await Eventually.Until(() => RowsAsync(deadLetters), rows => rows.Count > 0, TimeSpan.FromSeconds(30)));
        Assert.Equal(1, (await CliAsync("dead-letters", "drop", back.RowKey)).Code); // without --yes: refused
        Assert.Equal(0, (await CliAsync("dead-letters", "drop", back.RowKey, "--yes")).Code);
        Assert.Empty(await RowsAsync(deadLetters));
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _system.Staff().GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phones[1]) }).ResponseAsync);
    }

    private static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        await table.CreateIfNotExistsAsync();
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }
        return rows;
    }

    private async Task<(int Code, string Output)> CliAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "goldbach.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add("--storage");
        info.ArgumentList.Add(_system.Storage.ConnectionString);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + errors);
    }

    [Fact]
    public async Task A_webhook_the_gateway_is_still_recording_is_not_replayed_however_long_it_takes()
    {
        // Recording this one takes 5 s, longer than the replay interval (2 s here, swept every second): the sweeper
        // must leave it to the lane that has it, or a long burst is recorded twice.
        var phone = "+4915212350009";
        using (await _system.PostWebhookAsync(LocalSystem.TextWebhook(phone, $"{Slow}: die Laterne flackert"), waitUntilRecorded: false))
        {
        }
        var conversation = await Eventually.Succeeds<Conversation, Grpc.Core.RpcException>(
            () => _system.Staff().GetConversationAsync(new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync,
            TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Single(conversation.Entries, e => e.Inbound is not null);
        Assert.Equal(1, Volatile.Read(ref PoisonFilter.SlowCalls));
        var journal = new TableServiceClient(_system.Storage.ConnectionString).GetTableClient(WebhookJournalTables.Journal);
        Assert.Empty(await Eventually.Until(() => RowsAsync(journal), rows => rows.Count == 0, TimeSpan.FromSeconds(10)));
    }

    private sealed class PoisonFilter : IIncomingGrainCallFilter
    {
        // How often the slow message reached a citizen grain (once, or the sweeper replayed it).
        public static int SlowCalls;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is Contracts.InboundMessage { Text: { } text })
            {
                if (text.Contains(Poison, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("This message can never be recorded (test).");
                }
                if (text.Contains(Slow, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref SlowCalls);
                    await Task.Delay(TimeSpan.FromSeconds(5));
                }
            }
            await context.Invoke();
        }
    }
}
