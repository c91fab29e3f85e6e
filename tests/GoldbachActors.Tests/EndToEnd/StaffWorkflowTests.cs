using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>Working a conversation through the staff API over real sockets: notes, status, snooze, category, sections.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class StaffWorkflowTests(LocalSystem system)
{
    private async Task<string> ConversationOfAsync(string phone, string text)
    {
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, text)))
        {
        }
        return LocalSystem.ConversationName(phone);
    }

    [Fact]
    public async Task A_note_status_snooze_and_category_are_recorded_with_the_staff_member_and_shown_in_the_history()
    {
        var name = await ConversationOfAsync("+4915112347001", "Auf dem Spielplatz ist die Rutsche locker");
        var agent = system.Staff("staff-07");

        var note = await agent.AddNoteAsync(new AddNoteRequest { Conversation = name, Text = "Bauhof informiert", RequestId = "n-1" });
        var again = await agent.AddNoteAsync(new AddNoteRequest { Conversation = name, Text = "Bauhof informiert", RequestId = "n-1" });
        var category = await agent.SetCategoryAsync(new SetCategoryRequest { Conversation = name, Category = "Spielplatz" });
        var snoozed = await agent.SnoozeAsync(new SnoozeRequest { Conversation = name });
        var open = await agent.SetStatusAsync(new SetStatusRequest { Conversation = name, Status = ConversationStatus.Open });

        Assert.Equal((ConversationEventKind.Note, "staff-07", "Bauhof informiert"), (note.Kind, note.Actor, note.To));
        Assert.Equal(note.Time, again.Time);
        Assert.Equal("Spielplatz", category.Category);
        Assert.Equal(ConversationStatus.Snoozed, snoozed.Status);
        Assert.True(snoozed.SnoozeTime.ToDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal(ConversationStatus.Open, open.Status);
        var conversation = await agent.GetConversationAsync(new GetConversationRequest { Name = name });
        var events = conversation.Entries.Where(e => e.Event is not null).Select(e => e.Event).ToList();
        Assert.Single(events, e => e.Kind == ConversationEventKind.Note);
        Assert.Contains(events, e => e.Kind == ConversationEventKind.StatusChanged && e.Actor == "staff-07" && e.To.StartsWith("Snoozed until", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == ConversationEventKind.StatusChanged && e.Actor == "staff-07" && e.To == "Open");
        // Internal: nothing of it went to the citizen.
        Assert.DoesNotContain(system.SentMessages.List("+4915112347001"), m => m.Text!.Contains("Bauhof", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_changes_are_refused_with_invalid_argument_and_change_nothing()
    {
        var name = await ConversationOfAsync("+4915112347002", "Hallo");
        var agent = system.Staff();

        foreach (var call in new Func<Task>[]
        {
            () => agent.SetCategoryAsync(new SetCategoryRequest { Conversation = name, Category = "Katzen" }).ResponseAsync,
            () => agent.SetStatusAsync(new SetStatusRequest { Conversation = name, Status = ConversationStatus.New }).ResponseAsync,
            () => agent.SetStatusAsync(new SetStatusRequest { Conversation = name, Status = ConversationStatus.Snoozed }).ResponseAsync,
            () => agent.SnoozeAsync(new SnoozeRequest { Conversation = name, SnoozeTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)) }).ResponseAsync,
            () => agent.AddNoteAsync(new AddNoteRequest { Conversation = name, Text = " " }).ResponseAsync,
            () => agent.AddNoteAsync(new AddNoteRequest { Conversation = "tenants/x/conversations/y", Text = "x" }).ResponseAsync,
        })
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }
        var unknown = await Assert.ThrowsAsync<RpcException>(() => agent.SetStatusAsync(new SetStatusRequest
        {
            Conversation = LocalSystem.ConversationName("+4915112347099"),
            Status = ConversationStatus.Resolved,
        }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var conversation = await agent.GetConversationAsync(new GetConversationRequest { Name = name });
        Assert.Equal(ConversationStatus.New, conversation.Summary.Status);
        Assert.DoesNotContain(conversation.Entries, e => e.Event is { Kind: ConversationEventKind.Note });
    }

    [Fact]
    public async Task The_staff_coordination_section_is_for_supervisors_only()
    {
        var name = await ConversationOfAsync(LocalSystem.StaffNumber, "Fotos vom Marktfest sind im Ordner");
        var agent = system.Staff("staff-01", StaffRoles.Agent);
        var supervisor = system.Staff("chef-01", StaffRoles.Supervisor);
        var inbox = new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}", PageSize = 500 };

        var agentsView = await agent.ListConversationsAsync(inbox);
        var supervisorsView = await supervisor.ListConversationsAsync(new ListConversationsRequest(inbox) { Section = InboxSection.Staff });

        Assert.DoesNotContain(agentsView.Conversations, c => c.Name == name);
        var listed = Assert.Single(supervisorsView.Conversations, c => c.Name == name);
        Assert.Equal(InboxSection.Staff, listed.Section);
        foreach (var call in new Func<Task>[]
        {
            () => agent.GetConversationAsync(new GetConversationRequest { Name = name }).ResponseAsync,
            () => agent.ReplyAsync(new ReplyRequest { Conversation = name, Text = "x" }).ResponseAsync,
            () => agent.ListConversationsAsync(new ListConversationsRequest(inbox) { Section = InboxSection.Staff }).ResponseAsync,
        })
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }
        Assert.Empty(system.SentMessages.List(LocalSystem.StaffNumber));
    }

    [Fact]
    public async Task Generic_tools_find_the_service_by_reflection_and_the_health_service_answers()
    {
        using var channel = GrpcChannel.ForAddress(system.GatewayGrpc);

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext());
        Assert.Contains(reflection.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "goldbach.staff.v1.StaffService");
    }

    [Fact]
    public async Task Agents_take_unassigned_conversations_and_supervisors_reassign()
    {
        var name = await ConversationOfAsync("+4915112347003", "Wann ist die Bücherei offen?");
        var anna = system.Staff("anna");
        var ben = system.Staff("ben");
        var chef = system.Staff("chef", StaffRoles.Supervisor);

        Assert.Equal("anna", (await anna.AssignAsync(new AssignRequest { Conversation = name, Assignee = "anna" })).Assignee);
        var taken = await Assert.ThrowsAsync<RpcException>(() => ben.AssignAsync(new AssignRequest { Conversation = name, Assignee = "ben" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, taken.StatusCode);
        Assert.Equal("ben", (await chef.AssignAsync(new AssignRequest { Conversation = name, Assignee = "ben" })).Assignee);
        Assert.Equal("", (await ben.AssignAsync(new AssignRequest { Conversation = name })).Assignee);

        var history = await chef.GetConversationAsync(new GetConversationRequest { Name = name });
        var assignments = history.Entries.Where(e => e.Event is { Kind: ConversationEventKind.Assigned }).Select(e => (e.Event.Actor, e.Event.To)).ToList();
        Assert.Equal([("anna", "anna"), ("chef", "ben"), ("ben", "")], assignments);
    }

    [Fact]
    public async Task Read_priority_and_the_inbox_filters_narrow_the_list()
    {
        var marker = $"Wasserzähler{Random.Shared.Next(100_000, 999_999)}";
        var high = await ConversationOfAsync("+4915112347004", $"{marker} tropft");
        var normal = await ConversationOfAsync("+4915112347005", $"{marker} klemmt");
        var agent = system.Staff("carla");

        var read = await agent.MarkReadAsync(new MarkReadRequest { Conversation = high });
        Assert.Equal((ConversationStatus.Open, false), (read.Status, read.Unread));
        await agent.SetPriorityAsync(new SetPriorityRequest { Conversation = high, Priority = Priority.High });
        await agent.AssignAsync(new AssignRequest { Conversation = high, Assignee = "carla" });

        var inbox = new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}", PageSize = 500, Query = marker };
        var all = await Eventually.Until(() => agent.ListConversationsAsync(inbox).ResponseAsync, r => r.Conversations.Count == 2 && r.Conversations.Any(c => c.Assignee == "carla"));
        Assert.Equal([high, normal], all.Conversations.Select(c => c.Name).Order());
        Assert.Equal([high], (await agent.ListConversationsAsync(new ListConversationsRequest(inbox) { Priority = Priority.High })).Conversations.Select(c => c.Name));
        Assert.Equal([high], (await agent.ListConversationsAsync(new ListConversationsRequest(inbox) { Assignee = "carla" })).Conversations.Select(c => c.Name));
        Assert.Equal([normal], (await agent.ListConversationsAsync(new ListConversationsRequest(inbox) { Assignee = "-" })).Conversations.Select(c => c.Name));
        Assert.Equal([normal], (await agent.ListConversationsAsync(new ListConversationsRequest(inbox) { Status = ConversationStatus.New })).Conversations.Select(c => c.Name));
        Assert.Empty((await agent.ListConversationsAsync(new ListConversationsRequest(inbox) { Query = marker + " nirgends" })).Conversations);
        var unread = Assert.Single((await agent.ListConversationsAsync(inbox)).Conversations, c => c.Name == normal);
        Assert.True(unread.Unread);
    }

    [Fact]
    public async Task Browsers_reach_the_staff_API_with_grpc_web_over_http_1_1()
    {
        var name = await ConversationOfAsync("+4915112347006", "Hallo aus dem Browser");
        using var handler = new Grpc.Net.Client.Web.GrpcWebHandler(Grpc.Net.Client.Web.GrpcWebMode.GrpcWebText, new HttpClientHandler());
        using var channel = GrpcChannel.ForAddress(system.GatewayHttp, new GrpcChannelOptions
        {
            HttpHandler = handler,
            HttpVersion = new Version(1, 1),
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var client = new StaffService.StaffServiceClient(channel);
        var headers = new Metadata { { "Authorization", "Bearer " + LocalSystem.Token("web-01", StaffRoles.Agent, LocalSystem.Tenant) } };

        var conversation = await client.GetConversationAsync(new GetConversationRequest { Name = name }, headers);

        Assert.Equal("Hallo aus dem Browser", conversation.Entries.First(e => e.Inbound is not null).Inbound.Text);
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => client.GetConversationAsync(new GetConversationRequest { Name = name }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    [Fact]
    public async Task Canned_replies_are_the_tenants_own()
    {
        var replies = await system.Staff().ListCannedRepliesAsync(new ListCannedRepliesRequest { Parent = $"tenants/{LocalSystem.Tenant}" });

        var reply = Assert.Single(replies.CannedReplies);
        Assert.Equal(("Weitergeleitet", "Vielen Dank, {name}! Wir kümmern uns."), (reply.Title, reply.Text));
        var otherTown = await Assert.ThrowsAsync<RpcException>(() => system.Staff(tenant: "999").ListCannedRepliesAsync(new ListCannedRepliesRequest { Parent = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, otherTown.StatusCode);
    }

    [Fact]
    public async Task Every_read_and_change_is_in_the_audit_log_which_only_supervisors_read()
    {
        var name = await ConversationOfAsync("+4915112347007", "Ist der Grillplatz am Samstag frei?");
        var agent = system.Staff("dora");
        await agent.GetConversationAsync(new GetConversationRequest { Name = name });
        await agent.ReplyAsync(new ReplyRequest { Conversation = name, Text = "Ja, er ist frei.", RequestId = "a-1" });
        // The inbox polls the open conversation while the reply is unread: one sitting, one entry.
        for (var poll = 0; poll < 5; poll++)
        {
            await agent.GetConversationAsync(new GetConversationRequest { Name = name });
        }
        await agent.SetStatusAsync(new SetStatusRequest { Conversation = name, Status = ConversationStatus.Resolved });

        var log = await system.Staff("chef", StaffRoles.Supervisor).ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}", Conversation = name });

        Assert.Equal(["SetStatus", "Reply", "GetConversation"], log.Entries.Select(e => e.Action));
        Assert.All(log.Entries, e => Assert.Equal(("dora", "agent"), (e.StaffId, e.Role)));
        var denied = await Assert.ThrowsAsync<RpcException>(() => agent.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var page = await system.Staff("chef", StaffRoles.Supervisor).ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}", Conversation = name, PageSize = 2 });
        Assert.Equal(["SetStatus", "Reply"], page.Entries.Select(e => e.Action));
        var rest = await system.Staff("chef", StaffRoles.Supervisor).ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}", Conversation = name, PageToken = page.NextPageToken });
        Assert.Equal(["GetConversation"], rest.Entries.Select(e => e.Action));
    }

    [Fact]
    public async Task Lists_the_inbox_stream_the_audit_log_and_broadcasts_are_audited_once_per_sitting()
    {
        // A supervisor of their own: everything they read is theirs in the log.
        var staffId = "revisor-" + Guid.NewGuid().ToString("N")[..6];
        var revisor = system.Staff(staffId, StaffRoles.Supervisor);
        var parent = $"tenants/{LocalSystem.Tenant}";
        for (var refresh = 0; refresh < 3; refresh++)
        {
            await revisor.ListConversationsAsync(new ListConversationsRequest { Parent = parent });
            await revisor.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = parent, PageSize = 1 });
            await revisor.ListBroadcastListsAsync(new ListBroadcastListsRequest { Parent = parent });
            await revisor.ListBroadcastsAsync(new ListBroadcastsRequest { Parent = parent });
            var missing = await Assert.ThrowsAsync<RpcException>(() => revisor.GetBroadcastAsync(new GetBroadcastRequest { Name = $"{parent}/broadcasts/keine" }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
            // The web inbox's live stream, opened again as a page reloads.
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
            using var watch = revisor.WatchInbox(new WatchInboxRequest { Parent = parent }, cancellationToken: stop.Token);
            var ended = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (var _ in watch.ResponseStream.ReadAllAsync(stop.Token))
                {
                }
            });
            Assert.Equal(StatusCode.Cancelled, ended.StatusCode);
        }

        var log = await system.Staff("chef", StaffRoles.Supervisor).ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = parent, PageSize = 1000 });
        var mine = log.Entries.Where(e => e.StaffId == staffId).Select(e => e.Action).Order().ToList();
        Assert.Equal(["GetBroadcast", "ListAuditEntries", "ListBroadcastLists", "ListBroadcasts", "ListConversations", "WatchInbox"], mine);
        Assert.All(log.Entries.Where(e => e.StaffId == staffId), e => Assert.Equal("", e.Conversation));
    }
}
