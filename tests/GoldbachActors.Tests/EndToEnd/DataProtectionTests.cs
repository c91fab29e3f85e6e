using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// A citizen with every kind of data, built through the real endpoints: messages enough for archived history pages,
/// a photo, a location, a staff reply, a note, a category, resolution, a list membership staff added before the
/// citizen wrote (so a second identity), and a broadcast.
/// </summary>
public sealed record CitizenWithData(
    Citizen Citizen, IReadOnlyList<string> Texts, byte[] Photo, string PhotoBlob, string Note, string Reply, string Broadcast, string ConsentNote)
{
    private const string List = $"tenants/{LocalSystemHost.Tenant}/lists/ukraine-info";

    /// <summary>Everything that names the citizen or is their words: none of it may survive an erasure.</summary>
    public IEnumerable<string> Traces =>
        [Citizen.Phone, Citizen.WaId, Citizen.Bsuid, Citizen.Name!, Note, Reply, ConsentNote, .. Texts];

    public static async Task<CitizenWithData> CreateAsync(LocalSystemHost system, string phone, string name, int messages = 60)
    {
        var citizen = new Citizen(phone, name);
        var token = Guid.NewGuid().ToString("N")[..10];
        var supervisor = system.Staff("chefin", StaffRoles.Supervisor);
        // Staff add the number first (on the phone); the citizen writes under their user id later: two identities.
        var consentNote = $"am Telefon {token}";
        await supervisor.AddListMemberAsync(new AddListMemberRequest { List = List, PhoneNumber = phone, Language = "de", ConsentNote = consentNote });

        var photo = Encoding.UTF8.GetBytes($"jpeg-{token}-bytes");
        var (photoId, photoSha) = system.Media.Add(photo, "image/jpeg");
        var at = DateTimeOffset.UtcNow.AddMinutes(-20);
        var texts = Enumerable.Range(1, messages).Select(i => $"Anliegen{token}n{i:D3}").ToList();
        foreach (var batch in texts.Select((text, i) => (text, i)).Chunk(20))
        {
            await PostOkAsync(system, Payloads.Messages(citizen, [.. batch.Select(m =>
                $$"""{{citizen.From($"wamid.dp{m.i}-{token}", at.AddSeconds(m.i))}},"type":"text","text":{"body":"{{m.text}}"}""")]));
        }
        texts.Add($"Schaukel{token}kaputt");
        texts.Add($"Spielplatz{token}Ort");
        await PostOkAsync(system, Payloads.Messages(citizen,
            $$"""{{citizen.From($"wamid.dpphoto-{token}", at.AddSeconds(100))}},"type":"image","image":{"caption":"{{texts[^2]}}","mime_type":"image/jpeg","sha256":"{{photoSha}}","id":"{{photoId}}"}""",
            $$"""{{citizen.From($"wamid.dploc-{token}", at.AddSeconds(101))}},"type":"location","location":{"latitude":50.0013,"longitude":9.1854,"name":"{{texts[^1]}}"}"""));

        var agent = system.Staff("sachbearbeiter-7");
        var conversation = await Eventually.Until(
            () => agent.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            // The photo stored, and (with more messages than the hot history holds) the older ones archived in pages.
            c => (messages + 2 <= GoldbachActors.Grains.Citizens.CitizenState.HotLimit || !string.IsNullOrEmpty(c.NextPageToken))
                && c.Entries.Any(e => e.Inbound?.Media?.Status == MediaStatus.Stored),
            TimeSpan.FromSeconds(60));
        var photoBlob = $"{LocalSystemHost.Tenant}/{citizen.Bsuid}/wamid.dpphoto-{token}";
        var reply = $"Wir kümmern uns {token}.";
        var note = $"Bauhof informiert {token}";
        await agent.ReplyAsync(new ReplyRequest { Conversation = conversation.Summary.Name, Text = reply, RequestId = $"r{token}" });
        await agent.AddNoteAsync(new AddNoteRequest { Conversation = conversation.Summary.Name, Text = note, RequestId = $"n{token}" });
        await agent.SetCategoryAsync(new SetCategoryRequest { Conversation = conversation.Summary.Name, Category = "Spielplatz" });
        await agent.SetStatusAsync(new SetStatusRequest { Conversation = conversation.Summary.Name, Status = StaffApi.V1.ConversationStatus.Resolved });
        var broadcast = $"Infoabend {token} im Rathaus.";
        var content = new BroadcastContent();
        content.Texts.Add("de", broadcast);
        var sent = await supervisor.SendBroadcastAsync(new SendBroadcastRequest { List = List, Title = "Infoabend", Content = content, RequestId = $"b{token}" });
        await Eventually.Until(() => Task.FromResult(system.SentMessages.List(phone).Any(m => m.Text == broadcast) && system.SentMessages.List(phone).Any(m => m.Text == reply)), ok => ok, TimeSpan.FromSeconds(60));
        await Eventually.Until(() => supervisor.GetBroadcastAsync(new GetBroadcastRequest { Name = sent.Name }).ResponseAsync,
            b => b.Sent + b.Delivered + b.Read >= 1, TimeSpan.FromSeconds(30));
        await system.WaitUntilRecordedAsync();
        return new CitizenWithData(citizen, texts, photo, photoBlob, note, reply, broadcast, consentNote);
    }

    private static async Task PostOkAsync(LocalSystemHost system, byte[] body)
    {
        using var response = await system.PostWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>Reads every table and blob container of the storage account, looking for given strings and bytes.</summary>
public static class StorageScan
{
    /// <summary>Where each of <paramref name="traces"/> (and <paramref name="bytes"/>) still occurs: "table/partition/row" or "container/blob".</summary>
    public static async Task<List<string>> FindAsync(string connectionString, IEnumerable<string> traces, byte[]? bytes = null)
    {
        var needles = traces.Distinct().Select(t => (Text: t, Bytes: Encoding.UTF8.GetBytes(t))).ToList();
        if (bytes is not null)
        {
            needles.Add(("(file bytes)", bytes));
        }
        var found = new List<string>();
        var tables = new TableServiceClient(connectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                var content = new List<byte[]> { Encoding.UTF8.GetBytes(entity.PartitionKey), Encoding.UTF8.GetBytes(entity.RowKey) };
                foreach (var value in entity.Select(p => p.Value))
                {
                    content.Add(value switch
                    {
                        byte[] binary => binary,
                        BinaryData data => data.ToArray(),
                        null => [],
                        _ => Encoding.UTF8.GetBytes(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                    });
                }
                found.AddRange(needles.Where(n => content.Any(c => c.AsSpan().IndexOf(n.Bytes) >= 0))
                    .Select(n => $"{table.Name}/{entity.PartitionKey}/{entity.RowKey}: {n.Text}"));
            }
        }
        var blobs = new BlobServiceClient(connectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                var data = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                var name = Encoding.UTF8.GetBytes(blob.Name);
                found.AddRange(needles.Where(n => data.AsSpan().IndexOf(n.Bytes) >= 0 || name.AsSpan().IndexOf(n.Bytes) >= 0)
                    .Select(n => $"{container.Name}/{blob.Name}: {n.Text}"));
            }
        }
        return found;
    }
}

/// <summary>The data protection tests start systems of their own: one at a time, not all at once beside the others.</summary>
[CollectionDefinition(Name)]
public sealed class DataProtectionCollection
{
    public const string Name = "data protection";
}

/// <summary>Export (Art. 15), erasure (Art. 17) and who may do them, on a system of their own (its own Azurite).</summary>
[Collection(DataProtectionCollection.Name)]
public sealed class DataProtectionTests(LocalSystem system) : IClassFixture<LocalSystem>
{
    private static readonly string[] DeliveredStates = ["Sent", "Delivered", "Read"];
    private static readonly string[] StoresWithTheCitizen =
        ["GoldbachCitizens", "ConversationHistory", "ConversationIndex", "BroadcastListMembers", "BroadcastRecipients", "StaffAudit", "StaffAuditByConversation"];

    private static CitizenSelector ByPhone(string phone) => new() { Parent = $"tenants/{LocalSystem.Tenant}", PhoneNumber = phone };

    private static async Task<byte[]> ExportAsync(StaffService.StaffServiceClient staff, CitizenSelector citizen)
    {
        using var call = staff.ExportCitizen(new ExportCitizenRequest { Citizen = citizen });
        using var archive = new MemoryStream();
        var first = true;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (first)
            {
                Assert.Matches(@"^auskunft-\d{4}-\d{2}-\d{2}\.zip$", call.ResponseStream.Current.FileName);
                first = false;
            }
            call.ResponseStream.Current.Data.WriteTo(archive);
        }
        return archive.ToArray();
    }

    private static string Entry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task An_export_of_300_MB_of_media_streams_as_the_blobs_are_read_and_holds_every_byte()
    {
        // Three documents of 100 MB (the largest WhatsApp allows): the archive is larger than the gateway's temp folder
        // (128 Mi in deploy/k8s) and is never written there; the first bytes reach staff long before the last blob is read.
        var citizen = new Citizen("+4915212340150", "Gundula Großdatei");
        var files = new List<(string Wamid, byte[] Sha256)>();
        var messages = new List<string>();
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        for (var i = 0; i < 3; i++)
        {
            var content = new byte[100_000_000];
            new Random(i).NextBytes(content);
            var (id, sha) = system.Media.Add(content, "application/pdf");
            var wamid = $"wamid.big{i}-{Guid.NewGuid():N}";
            files.Add((wamid, System.Security.Cryptography.SHA256.HashData(content)));
            messages.Add($$"""{{citizen.From(wamid, at.AddSeconds(i))}},"type":"document","document":{"filename":"plan{{i}}.pdf","mime_type":"application/pdf","sha256":"{{sha}}","id":"{{id}}"}""");
        }
        using (var response = await system.PostWebhookAsync(Payloads.Messages(citizen, [.. messages])))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var agent = system.Staff("sachbearbeiter-7");
        await Eventually.Until(
            () => agent.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            c => c.Entries.Count(e => e.Inbound?.Media?.Status == MediaStatus.Stored) == 3, TimeSpan.FromSeconds(180));

        var archivePath = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.zip");
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            TimeSpan? firstChunk = null;
            using (var call = system.Staff("chefin", StaffRoles.Supervisor).ExportCitizen(new ExportCitizenRequest { Citizen = ByPhone(citizen.Phone) }))
            await using (var file = File.Create(archivePath))
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    firstChunk ??= clock.Elapsed;
                    Assert.True(call.ResponseStream.Current.Data.Length <= 64 * 1024);
                    call.ResponseStream.Current.Data.WriteTo(file);
                }
            }
            var total = clock.Elapsed;
            Console.WriteLine($"Export of 300 MB: first chunk after {firstChunk!.Value.TotalSeconds:F2} s, all after {total.TotalSeconds:F2} s");
            // A built-then-sent archive sends nothing until all 300 MB are read.
            Assert.True(firstChunk < total / 4, $"first chunk after {firstChunk}, all after {total}");

            using var zip = ZipFile.OpenRead(archivePath);
            using var json = JsonDocument.Parse(Entry(zip, "export.json"));
            var where = json.RootElement.GetProperty("mediaFiles").EnumerateArray()
                .ToDictionary(m => m.GetProperty("whatsAppMessageId").GetString()!, m => m.GetProperty("file").GetString()!);
            foreach (var (wamid, sha) in files)
            {
                var entry = zip.GetEntry(where[wamid])!;
                Assert.Equal(100_000_000, entry.Length);
                await using var stream = entry.Open();
                Assert.Equal(sha, await System.Security.Cryptography.SHA256.HashDataAsync(stream));
            }
            Assert.Contains("Gundula", Entry(zip, "bericht.html"), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(archivePath);
        }
    }

    [Fact]
    public async Task A_supervisor_exports_everything_stored_about_a_citizen_as_json_a_german_report_and_the_files()
    {
        var data = await CitizenWithData.CreateAsync(system, "+4915212340101", "Quirin Auskunftsberger");
        var supervisor = system.Staff("chefin", StaffRoles.Supervisor);

        var bytes = await ExportAsync(supervisor, ByPhone(data.Citizen.Phone));
        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var json = JsonDocument.Parse(Entry(zip, "export.json"));
        var citizen = json.RootElement.GetProperty("citizen");
        Assert.Equal(data.Citizen.Bsuid, citizen.GetProperty("identity").GetString());
        Assert.Equal(data.Citizen.Phone, citizen.GetProperty("phoneNumber").GetString());
        Assert.Equal(data.Citizen.Name, citizen.GetProperty("profileName").GetString());
        Assert.Contains(data.Citizen.WaId, citizen.GetProperty("formerIdentities").EnumerateArray().Select(i => i.GetString()));
        // Every message, the archived pages' included, oldest first.
        var inbound = citizen.GetProperty("inbound").EnumerateArray().ToList();
        Assert.Equal(data.Texts.SkipLast(2), inbound.Where(m => m.GetProperty("type").GetString() == "text").Select(m => m.GetProperty("text").GetString()));
        Assert.Contains(inbound, m => m.TryGetProperty("media", out var media) && media.GetProperty("caption").GetString() == data.Texts[^2]);
        Assert.Contains(inbound, m => m.TryGetProperty("location", out var location) && location.GetProperty("name").GetString() == data.Texts[^1]);
        var outbound = citizen.GetProperty("outbound").EnumerateArray().ToList();
        var reply = Assert.Single(outbound, m => m.GetProperty("text").GetString() == data.Reply);
        Assert.Contains(reply.GetProperty("state").GetString(), DeliveredStates);
        Assert.Equal("Verwaltung", reply.GetProperty("sentBy").GetString());
        Assert.Contains(outbound, m => m.GetProperty("text").GetString() == data.Broadcast && m.GetProperty("kind").GetString() == "Broadcast");
        Assert.Contains(outbound, m => m.GetProperty("kind").GetString() == "Acknowledgement");
        var events = citizen.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "Note" && e.GetProperty("to").GetString() == data.Note);
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "CategoryChanged" && e.GetProperty("to").GetString() == "Spielplatz");
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "StatusChanged" && e.GetProperty("to").GetString() == "Resolved");
        // Staff never appear by name: the town answers as "we".
        Assert.DoesNotContain("sachbearbeiter-7", json.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("chefin", json.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("Resolved", citizen.GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal("Spielplatz", citizen.GetProperty("summary").GetProperty("category").GetString());
        Assert.Equal("ukraine-info", Assert.Single(citizen.GetProperty("memberships").EnumerateArray()).GetProperty("listId").GetString());
        Assert.Contains(citizen.GetProperty("consentHistory").EnumerateArray(), c => c.GetProperty("channel").GetString() == "Staff" && c.GetProperty("note").GetString()!.StartsWith("am Telefon", StringComparison.Ordinal));
        var broadcastId = Assert.Single(citizen.GetProperty("broadcasts").EnumerateArray()).GetString()!;
        // Its row in the broadcast's own table as well: language, delivery state, whether they replied.
        var row = Assert.Single(citizen.GetProperty("broadcastRecipients").EnumerateArray());
        Assert.Equal((broadcastId, "de", false), (row.GetProperty("broadcastId").GetString(), row.GetProperty("language").GetString(), row.GetProperty("replied").GetBoolean()));
        // The row as stored (the broadcast writes its rows every few seconds, so it may lag its progress).
        Assert.True(Enum.TryParse<GoldbachActors.Contracts.RecipientState>(row.GetProperty("state").GetString(), out _), row.GetRawText());
        // The staff's reads and changes of the conversation, without who did them.
        var audit = json.RootElement.GetProperty("auditEntries").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Contains("GetConversation", audit);
        Assert.Contains("AddNote", audit);
        Assert.Contains("AddListMember", audit);
        Assert.Contains("ExportCitizen", audit);
        // The photo itself, byte for byte, where the JSON says.
        var file = Assert.Single(json.RootElement.GetProperty("mediaFiles").EnumerateArray()).GetProperty("file").GetString()!;
        using (var photo = new MemoryStream())
        {
            await zip.GetEntry(file)!.Open().CopyToAsync(photo);
            Assert.Equal(data.Photo, photo.ToArray());
        }
        // The readable report in German holds the same.
        var html = Entry(zip, "bericht.html");
        Assert.Contains("Auskunft nach Art. 15 DSGVO", html, StringComparison.Ordinal);
        Assert.Contains("Nachrichtenverlauf", html, StringComparison.Ordinal);
        Assert.All(data.Texts.Append(data.Note).Append(data.Reply).Append(data.Broadcast), text => Assert.Contains(WebUtility.HtmlEncode(text), html, StringComparison.Ordinal));
        Assert.Contains("erledigt", html, StringComparison.Ordinal);
        Assert.Contains($"<h2>Rundsendungen</h2><table><tr><th>Rundsendung</th><th>Sprache</th><th>Zustellung</th><th>Vorlage</th><th>Grund</th><th>Ihre Antwort</th></tr><tr><td>{broadcastId}</td><td>de</td>", html, StringComparison.Ordinal);
        Assert.Contains(file, html, StringComparison.Ordinal);

        // Found by the user id as well; the CLI's way (conversation) too.
        var byUserId = await ExportAsync(supervisor, new CitizenSelector { Parent = $"tenants/{LocalSystem.Tenant}", UserId = data.Citizen.Bsuid });
        using var again = new ZipArchive(new MemoryStream(byUserId));
        Assert.Contains(data.Texts[0], Entry(again, "export.json"), StringComparison.Ordinal);
    }

    // The built CLI against this system, with a supervisor's token as GOLDBACH_TOKEN.
    private async Task<(int Exit, string Output, string Errors)> CliAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // The CLI's own build output (its dependencies, not the test project's).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        info.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "src", "Cli", "bin", configuration, "net10.0", "goldbach.dll"));
        foreach (var arg in (string[])["--gateway", system.GatewayGrpc.ToString(), "--tenant", LocalSystem.Tenant, .. args])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["GOLDBACH_TOKEN"] = LocalSystem.Token("datenschutz", StaffRoles.Supervisor, LocalSystem.Tenant);
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_citizen_in_any_table_or_container_and_finishes_after_a_failure_half_way()
    {
        var data = await CitizenWithData.CreateAsync(system, "+4915212340202", "Xaver Löschmeier");
        var supervisor = system.Staff("chefin", StaffRoles.Supervisor);
        // The scan finds the citizen before: it is able to find them.
        var before = await StorageScan.FindAsync(system.Storage.ConnectionString, data.Traces, data.Photo);
        foreach (var table in StoresWithTheCitizen)
        {
            Assert.Contains(before, f => f.StartsWith(table + "/", StringComparison.Ordinal));
        }
        Assert.Contains(before, f => f.StartsWith("media/", StringComparison.Ordinal));

        // A lease on the photo makes storage refuse its deletion: the erasure stops half-way.
        var photo = new BlobServiceClient(system.Storage.ConnectionString).GetBlobContainerClient("media").GetBlobClient(data.PhotoBlob);
        var lease = photo.GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(60));
        // The CLI as the data protection officer types it: it prints the request id first and, storage having refused a
        // step, says the erasure began (exit 4), not that the service could not be reached (exit 3).
        var (exit, output, errors) = await CliAsync("erase", "--phone", data.Citizen.Phone, "--yes");
        Assert.True(exit == 4, $"exit {exit}: {output} {errors}");
        var id = Assert.Single(output.Split('\n'), l => l.StartsWith("Erasure request ", StringComparison.Ordinal))["Erasure request ".Length..].Trim();
        Assert.Contains($"--request-id {id}", errors, StringComparison.Ordinal);
        Assert.Contains("erasure has begun", errors, StringComparison.Ordinal);
        var request = new EraseCitizenRequest { Citizen = ByPhone(data.Citizen.Phone), RequestId = id };
        var refused = await Assert.ThrowsAsync<RpcException>(() => supervisor.EraseCitizenAsync(request).ResponseAsync);
        Assert.Equal((StatusCode.Unavailable, "begun"), (refused.StatusCode, refused.Trailers.GetValue(GoldbachActors.Contracts.StaffApiMetadata.ErasureState)));
        // Past the point of no return: the conversation is gone for staff already.
        var gone = await Assert.ThrowsAsync<RpcException>(() => supervisor.GetConversationAsync(new GetConversationRequest { Name = data.Citizen.ConversationName }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        await lease.ReleaseAsync();

        // The retry finishes it.
        var result = await supervisor.EraseCitizenAsync(request);
        Assert.Equal($"erasures/{id}", result.Reference);
        Assert.True(result.Messages >= 63, $"{result.Messages} messages");
        Assert.True(result.HistoryPages >= 1);
        Assert.Equal(1, result.MediaFiles);
        Assert.Equal(2, result.Identities);
        Assert.Equal((1, 1), (result.Lists, result.Broadcasts));
        await system.WaitUntilRecordedAsync();
        var after = await StorageScan.FindAsync(system.Storage.ConnectionString, data.Traces, data.Photo);
        Assert.Empty(after);

        // Idempotent: again is fine and finds nothing; the export has nothing either.
        var repeated = await supervisor.EraseCitizenAsync(new EraseCitizenRequest { Citizen = ByPhone(data.Citizen.Phone), RequestId = "erase-xaver-2" });
        Assert.Equal((0, 0), (repeated.MediaFiles, repeated.HistoryPages));
        var nothing = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(supervisor, ByPhone(data.Citizen.Phone)));
        Assert.Equal(StatusCode.NotFound, nothing.StatusCode);
        // The log keeps that it happened, when and by whom.
        var audit = await supervisor.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}", PageSize = 500 });
        // Three attempts under the one id: the CLI's, the refused call's, the one that finished.
        var erasures = audit.Entries.Where(e => e.Action == "EraseCitizen" && e.Conversation == $"erasures/{id}").ToList();
        Assert.Equal(["chefin", "chefin", "datenschutz"], erasures.Select(e => e.StaffId).Order());
        Assert.Contains(audit.Entries, e => e.Action == "AddNote" && e.Conversation == $"erasures/{id}");

        // The citizen may write again: a new conversation, nothing of the old one.
        using var response = await system.PostWebhookAsync(Payloads.Messages(data.Citizen, $$"""{{data.Citizen.From(LocalSystem.NewWamid())}},"type":"text","text":{"body":"Hallo nochmal"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fresh = await supervisor.GetConversationAsync(new GetConversationRequest { Name = data.Citizen.ConversationName });
        Assert.Equal(["Hallo nochmal"], fresh.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));
        Assert.True(string.IsNullOrEmpty(fresh.NextPageToken));
    }

    private async Task PostOkAsync(byte[] body)
    {
        using var response = await system.PostWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task What_is_erased_stays_erased_when_meta_redelivers_it_or_the_journal_replays_it()
    {
        var citizen = new Citizen("+4915212340505", "Rita Wiederkehr");
        var supervisor = system.Staff("chefin", StaffRoles.Supervisor);
        var inbox = system.Cluster.GetGrain<Contracts.ITenantInboxGrain>(LocalSystem.Tenant);
        var watcher = (await inbox.WatchAsync(null, TimeSpan.Zero)).Position;
        var wrote = DateTimeOffset.UtcNow.AddMinutes(-2);
        var first = Payloads.Messages(citizen, $$"""{{citizen.From("wamid.tomb-1", wrote)}},"type":"text","text":{"body":"Laterne{{citizen.WaId}}defekt"}""");
        await PostOkAsync(first);
        Assert.Single(await system.WaitForSentAsync(citizen.Phone, 1));
        var live = await inbox.WatchAsync(watcher, TimeSpan.Zero);
        Assert.Contains(live.Events, e => e.Summary.CitizenKey == citizen.GrainKey);
        var erased = await supervisor.EraseCitizenAsync(new EraseCitizenRequest { Citizen = ByPhone(citizen.Phone), RequestId = "erase-rita" });
        Assert.Equal(2, erased.Messages); // the message and its acknowledgement

        // Meta delivers the same signed webhook again (it does for up to 7 days)...
        await PostOkAsync(first);
        // ...and a journal record of a message sent before the erasure is replayed by a gateway's sweeper.
        var second = Payloads.Messages(citizen, $$"""{{citizen.From("wamid.tomb-2", wrote.AddSeconds(30))}},"type":"text","text":{"body":"Nachtrag{{citizen.WaId}}"}""");
        await system.Journal.AppendAsync(second);
        await Task.Delay(TimeSpan.FromSeconds(5)); // replayed after 2 s, swept every second

        var gone = await Assert.ThrowsAsync<RpcException>(() => supervisor.GetConversationAsync(
            new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Single(system.SentMessages.List(citizen.Phone)); // no new acknowledgement
        // The inbox's live feed forgot them: a watcher coming back from before sees nothing of the citizen.
        var replay = await inbox.WatchAsync(watcher, TimeSpan.Zero);
        Assert.False(replay.Reset);
        Assert.DoesNotContain(replay.Events, e => e.Summary.CitizenKey == citizen.GrainKey);
        Assert.Empty(await StorageScan.FindAsync(system.Storage.ConnectionString, [citizen.WaId, citizen.Bsuid, $"Laterne{citizen.WaId}", $"Nachtrag{citizen.WaId}"]));

        // What the citizen really writes after the erasure starts afresh.
        await PostOkAsync(Payloads.Messages(citizen, $$"""{{citizen.From("wamid.tomb-3")}},"type":"text","text":{"body":"Neue Frage"}"""));
        var fresh = await supervisor.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName });
        Assert.Equal(["Neue Frage"], fresh.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));
        Assert.Equal(2, (await system.WaitForSentAsync(citizen.Phone, 2)).Count);
    }

    [Fact]
    public async Task An_erasure_interrupted_half_way_is_finished_by_the_citizens_reminder_without_being_asked_again()
    {
        var data = await CitizenWithData.CreateAsync(system, "+4915212340404", "Berta Erinnerlich", messages: 5);
        var supervisor = system.Staff("chefin", StaffRoles.Supervisor);
        var photo = new BlobServiceClient(system.Storage.ConnectionString).GetBlobContainerClient("media").GetBlobClient(data.PhotoBlob);
        var lease = photo.GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<RpcException>(
            () => supervisor.EraseCitizenAsync(new EraseCitizenRequest { Citizen = ByPhone(data.Citizen.Phone) }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        await lease.ReleaseAsync();

        // Nobody repeats the call: the erasure's reminder (every minute) finishes it.
        var left = await Eventually.Until(
            () => StorageScan.FindAsync(system.Storage.ConnectionString, data.Traces, data.Photo), found => found.Count == 0,
            TimeSpan.FromSeconds(150), TimeSpan.FromSeconds(10));
        Assert.Empty(left);
    }

    [Fact]
    public async Task Only_supervisors_and_admins_of_the_tenant_export_erase_or_run_retention_and_every_attempt_that_acts_is_audited()
    {
        var citizen = new Citizen("+4915212340303", "Paula Rechtsmann");
        using (var response = await system.PostWebhookAsync(Payloads.Messages(citizen, $$"""{{citizen.From(LocalSystem.NewWamid())}},"type":"text","text":{"body":"Wann ist das Rathaus offen?"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var parent = $"tenants/{LocalSystem.Tenant}";
        foreach (var refused in new[] { system.Staff("azubi", StaffRoles.Agent), system.Staff("chefin", StaffRoles.Supervisor, tenant: "999") })
        {
            var export = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(refused, ByPhone(citizen.Phone)));
            var erase = await Assert.ThrowsAsync<RpcException>(() => refused.EraseCitizenAsync(new EraseCitizenRequest { Citizen = ByPhone(citizen.Phone) }).ResponseAsync);
            var retention = await Assert.ThrowsAsync<RpcException>(() => refused.RunRetentionAsync(new RunRetentionRequest { Parent = parent }).ResponseAsync);
            Assert.All([export, erase, retention], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        }
        var supervisor = system.Staff("chefin", StaffRoles.Supervisor);
        var bad = await Assert.ThrowsAsync<RpcException>(() => supervisor.EraseCitizenAsync(new EraseCitizenRequest { Citizen = new CitizenSelector { Parent = parent, PhoneNumber = "+49 12" } }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.DoesNotContain("+49 12", bad.Status.Detail, StringComparison.Ordinal);
        var both = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(supervisor, new CitizenSelector { Parent = parent, PhoneNumber = citizen.Phone, UserId = citizen.Bsuid }));
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);

        await ExportAsync(system.Staff("admin-1", StaffRoles.Admin), ByPhone(citizen.Phone));
        var report = await supervisor.RunRetentionAsync(new RunRetentionRequest { Parent = parent });
        Assert.True(report.DryRun);
        Assert.Equal((730, 0), (report.AuditPeriodDays, report.ConversationsDeleted));
        var audit = await supervisor.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = parent, PageSize = 500 });
        Assert.Contains(audit.Entries, e => e is { Action: "ExportCitizen", StaffId: "admin-1" } && e.Conversation == LocalSystem.ConversationName(citizen.Phone));
        Assert.Contains(audit.Entries, e => e is { Action: "RunRetention", StaffId: "chefin" });
        Assert.DoesNotContain(audit.Entries, e => e.StaffId == "azubi");
    }

    [Fact]
    public async Task An_erasure_half_way_in_state_the_2026_11_29_version_wrote_is_finished_by_this_one()
    {
        // The v4 fixture (Compatibility/citizen-state-v4.bin) written through the real grain storage provider, as if
        // the previous version had stopped between planning the erasure and sweeping the stores.
        var services = system.SiloServices;
        var serializer = services.GetRequiredService<Orleans.Serialization.Serializer>();
        var storageSerializer = new Orleans.Storage.OrleansGrainStorageSerializer(serializer);
        var state = storageSerializer.Deserialize<GoldbachActors.Grains.Citizens.CitizenState>(
            new BinaryData(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Compatibility", "citizen-state-v4.bin"))))!;
        var key = Contracts.CitizenKey.Create(LocalSystem.Tenant, "DE.v4");
        var storage = services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(GoldbachActors.Grains.StorageNames.Citizens);
        var citizen = system.Cluster.GetGrain<Contracts.ICitizenGrain>(key.GrainKey);
        await storage.WriteStateAsync("citizen", citizen.GetGrainId(), new Orleans.GrainState<GoldbachActors.Grains.Citizens.CitizenState>(state));
        Assert.Null(await citizen.GetConversationAsync());

        // The documented retry with the same request id goes on with the plan, and finishes.
        var report = await citizen.EraseAsync(state.Erasure!.Erasure);

        Assert.Equal(("e-v4", true, 2, 3), (report.ErasureId, report.Finished, report.Messages, report.Identities));
        var stored = new Orleans.GrainState<GoldbachActors.Grains.Citizens.CitizenState>();
        await storage.ReadStateAsync("citizen", citizen.GetGrainId(), stored);
        Assert.False(stored.RecordExists, "the erased citizen's state is still in storage");
        Assert.Null(await citizen.ExportAsync());
    }
}
