using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// Three silo processes and the gateway on Azure Table clustering (Azurite), a steady stream of signed webhooks from
/// many citizens, and one silo killed with SIGKILL in the middle: nothing answered 200 is lost, the killed silo's
/// citizens carry on elsewhere, nobody is acknowledged twice, the killed silo's outboxes are sent. The figures go to
/// the test output and to artifacts/cluster-test.txt (test.sh prints them).
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Citizens = 60;
    private const int Rounds = 10;
    private const int KillAfterRound = 4;
    private readonly LocalSystem _system = new();

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        await _system.StartSiloProcessAsync();
        await _system.AddSiloProcessAsync();
        await _system.AddSiloProcessAsync();
        // Status webhooks tell a silo what the Graph API accepted before a crash; some answers are slow, so that
        // outboxes hold messages at the moment of the kill.
        _system.Meta.StatusWebhooks = true;
        _system.Meta.Faults = new WhatsAppSimulator.FaultPlan { SlowShare = 0.3, SlowDelay = TimeSpan.FromMilliseconds(800) };
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Losing_one_of_three_silos_loses_no_message_and_acknowledges_nobody_twice()
    {
        var phones = Enumerable.Range(0, Citizens).Select(i => $"+4915188{i:000000}").ToList();
        var accepted = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var sent = 0;
        var refusedAtFirst = 0;
        SiloProcess? victim = null;
        HashSet<string> moved = [];
        DateTimeOffset killedAt = default;
        var firstAfterKill = new ConcurrentDictionary<string, string>();

        for (var round = 0; round < Rounds; round++)
        {
            if (round == KillAfterRound)
            {
                (victim, moved) = await BusiestSiloAsync();
                // Replies to the victim's citizens wait in its outboxes (WhatsApp is down for the moment) when it dies.
                _system.Meta.Faults = new WhatsAppSimulator.FaultPlan { OutageSeconds = 600 };
                foreach (var phone in moved)
                {
                    await _system.Staff().ReplyAsync(new ReplyRequest { Conversation = LocalSystemHost.ConversationName(phone), Text = ReplyTo(phone) });
                }
                await Task.Delay(TimeSpan.FromSeconds(1));
                killedAt = DateTimeOffset.UtcNow;
                await _system.KillSiloProcessAsync(victim);
                _system.Meta.Faults = new WhatsAppSimulator.FaultPlan { SlowShare = 0.3, SlowDelay = TimeSpan.FromMilliseconds(800) };
                output.WriteLine($"killed the silo on port {victim.SiloPort}, which held {moved.Count} of {Citizens} citizens");
            }
            foreach (var phone in phones)
            {
                var wamid = LocalSystemHost.NewWamid();
                var body = LocalSystemHost.TextWebhook(phone, $"Nachricht {round} von {phone[^4..]}: die Laterne flackert", wamid);
                Interlocked.Increment(ref sent);
                // Meta retries until it gets a 200; only a 200 makes the message the town's responsibility.
                var attempt = 0;
                while (true)
                {
                    using var response = await _system.PostWebhookAsync(body, waitUntilRecorded: false);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                    if (attempt++ == 0)
                    {
                        Interlocked.Increment(ref refusedAtFirst);
                    }
                    await Task.Delay(200);
                }
                accepted.GetOrAdd(phone, _ => []).Add(wamid);
                if (round == KillAfterRound)
                {
                    firstAfterKill[phone] = wamid;
                }
                await Task.Delay(10);
            }
        }

        // When does the cluster serve the moved citizens again: their first message after the kill is stored.
        var staff = _system.Staff();
        var servedAgainAt = await WhenAsync(async () =>
        {
            foreach (var phone in moved)
            {
                var conversation = await TryGetAsync(staff, phone);
                if (conversation is null || !conversation.Entries.Any(e => e.Inbound?.WhatsappMessageId == firstAfterKill[phone]))
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromMinutes(3));

        // Everything answered 200 is stored and visible to staff; every citizen has exactly one acknowledgement.
        var stored = 0;
        var lost = new List<string>();
        await WhenAsync(async () =>
        {
            stored = 0;
            lost.Clear();
            foreach (var phone in phones)
            {
                var conversation = await TryGetAsync(staff, phone);
                var ids = conversation?.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.WhatsappMessageId).ToHashSet() ?? [];
                foreach (var wamid in accepted[phone])
                {
                    if (ids.Contains(wamid))
                    {
                        stored++;
                    }
                    else
                    {
                        lost.Add($"{phone[^4..]}:{wamid}");
                    }
                }
            }
            return lost.Count == 0;
        }, TimeSpan.FromMinutes(2));
        var acknowledged = await WhenAsync(() => Task.FromResult(phones.All(p => Acknowledgements(p) >= 1)), TimeSpan.FromMinutes(2));
        var repliesSent = await WhenAsync(() => Task.FromResult(moved.All(p => Replies(p) >= 1)), TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a late duplicate would show up now
        var duplicates = phones.Sum(p => Math.Max(0, Acknowledgements(p) - 1));
        var duplicateReplies = moved.Sum(p => Math.Max(0, Replies(p) - 1));
        var acceptedCount = accepted.Values.Sum(b => b.Count);

        var figures = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Cluster test: 3 silos, {Citizens} citizens x {Rounds} messages, one silo killed (SIGKILL) after round {KillAfterRound}")
            .AppendLine(CultureInfo.InvariantCulture, $"  messages sent:                {sent}")
            .AppendLine(CultureInfo.InvariantCulture, $"  accepted (200):               {acceptedCount} ({refusedAtFirst} refused at first and retried as Meta does)")
            .AppendLine(CultureInfo.InvariantCulture, $"  stored and visible to staff:  {stored}")
            .AppendLine(CultureInfo.InvariantCulture, $"  lost:                         {lost.Count}")
            .AppendLine(CultureInfo.InvariantCulture, $"  citizens on the killed silo:  {moved.Count}")
            .AppendLine(CultureInfo.InvariantCulture, $"  citizens acknowledged:        {phones.Count(p => Acknowledgements(p) >= 1)} of {Citizens}")
            .AppendLine(CultureInfo.InvariantCulture, $"  duplicated acknowledgements:  {duplicates}")
            .AppendLine(CultureInfo.InvariantCulture, $"  replies in the killed silo's outboxes: {moved.Count}, sent after the kill: {moved.Count(p => Replies(p) >= 1)}, twice: {duplicateReplies}")
            .AppendLine(CultureInfo.InvariantCulture, $"  moved citizens served again:  {(servedAgainAt is { } at ? $"{(at - killedAt).TotalSeconds:0.0} s after the kill" : "not within 3 minutes")}");
        output.WriteLine(figures.ToString());
        var artifacts = Path.Combine(RepositoryRoot.Path, "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "cluster-test.txt"), figures.ToString());

        Assert.True(moved.Count > 0, "The killed silo held no citizen: the test proved nothing.");
        Assert.Equal(Citizens * Rounds, acceptedCount);
        Assert.Empty(lost);
        Assert.Equal(acceptedCount, stored);
        Assert.NotNull(servedAgainAt);
        Assert.NotNull(acknowledged);
        Assert.Equal(0, duplicates);
        Assert.NotNull(repliesSent);
        Assert.Equal(0, duplicateReplies);
    }

    private static string ReplyTo(string phone) => $"Danke, wir kümmern uns um die Laterne ({phone[^4..]}).";

    private int Replies(string phone) => _system.SentMessages.List(phone).Count(m => m.Text == ReplyTo(phone));

    private int Acknowledgements(string phone) =>
        _system.SentMessages.List(phone).Count(m => m.Text == LocalSystemHost.AcknowledgementText);

    // The silo that holds the most citizen grains now, and which citizens those are.
    private async Task<(SiloProcess Silo, HashSet<string> Phones)> BusiestSiloAsync()
    {
        var management = _system.Cluster.GetGrain<IManagementGrain>(0);
        var activations = (await management.GetDetailedGrainStatistics())
            .Where(a => a.GrainType.Contains(nameof(GoldbachActors.Grains.Citizens.CitizenGrain), StringComparison.Ordinal))
            .ToList();
        output.WriteLine($"{activations.Count} citizen activations on {activations.Select(a => a.SiloAddress).Distinct().Count()} silos");
        var busiest = activations.GroupBy(a => a.SiloAddress.Endpoint.Port).OrderByDescending(g => g.Count()).First();
        var silo = _system.SiloProcesses.Single(s => s.SiloPort == busiest.Key);
        var phoneOf = Enumerable.Range(0, Citizens).Select(i => $"+4915188{i:000000}")
            .ToDictionary(phone => WhatsAppSimulator.CitizenPhoneEndpoints.BusinessScopedUserIdFor(phone[1..]));
        var phones = busiest
            .Select(a => a.GrainId.Key.ToString()!)
            .Select(key => key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..])
            .Where(phoneOf.ContainsKey)
            .Select(identity => phoneOf[identity])
            .ToHashSet();
        return (silo, phones);
    }

    private static async Task<Conversation?> TryGetAsync(StaffService.StaffServiceClient staff, string phone)
    {
        try
        {
            return await staff.GetConversationAsync(new GetConversationRequest { Name = LocalSystemHost.ConversationName(phone) });
        }
        catch (Grpc.Core.RpcException)
        {
            return null;
        }
    }

    private static async Task<DateTimeOffset?> WhenAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (await condition())
            {
                return DateTimeOffset.UtcNow;
            }
            await Task.Delay(250);
        }
        return null;
    }
}
