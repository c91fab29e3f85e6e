using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>The whole permission matrix of the staff API: no token, an expired one, another tenant's, each role.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class StaffPermissionTests(LocalSystem system)
{
    private static readonly string Parent = $"tenants/{LocalSystem.Tenant}";

    // Every call of the API against one conversation; "ok" when it did not fail for permission reasons.
    private static IEnumerable<(string Call, Func<StaffService.StaffServiceClient, Task> Run)> Calls(string conversation) =>
    [
        ("ListConversations", c => c.ListConversationsAsync(new ListConversationsRequest { Parent = Parent }).ResponseAsync),
        ("GetConversation", c => c.GetConversationAsync(new GetConversationRequest { Name = conversation }).ResponseAsync),
        ("Reply", c => c.ReplyAsync(new ReplyRequest { Conversation = conversation, Text = "Danke!", RequestId = "perm" }).ResponseAsync),
        ("AddNote", c => c.AddNoteAsync(new AddNoteRequest { Conversation = conversation, Text = "intern", RequestId = "perm" }).ResponseAsync),
        ("SetStatus", c => c.SetStatusAsync(new SetStatusRequest { Conversation = conversation, Status = ConversationStatus.Open }).ResponseAsync),
        ("Snooze", c => c.SnoozeAsync(new SnoozeRequest { Conversation = conversation }).ResponseAsync),
        ("SetCategory", c => c.SetCategoryAsync(new SetCategoryRequest { Conversation = conversation, Category = "Sonstiges" }).ResponseAsync),
        ("SetPriority", c => c.SetPriorityAsync(new SetPriorityRequest { Conversation = conversation, Priority = Priority.High }).ResponseAsync),
        ("MarkRead", c => c.MarkReadAsync(new MarkReadRequest { Conversation = conversation }).ResponseAsync),
        ("AssignToOther", c => c.AssignAsync(new AssignRequest { Conversation = conversation, Assignee = "someone-else" }).ResponseAsync),
        ("ListCannedReplies", c => c.ListCannedRepliesAsync(new ListCannedRepliesRequest { Parent = Parent }).ResponseAsync),
        ("ListAuditEntries", c => c.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = Parent }).ResponseAsync),
        ("WatchInbox", async c =>
        {
            using var watch = c.WatchInbox(new WatchInboxRequest { Parent = Parent }, deadline: DateTime.UtcNow.AddMilliseconds(700));
            try
            {
                await watch.ResponseStream.MoveNext();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
                // Authorized and waiting for events.
            }
        }),
    ];

    private static async Task<StatusCode> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    private async Task<string> ConversationAsync(string phone)
    {
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo")))
        {
        }
        return LocalSystem.ConversationName(phone);
    }

    [Theory]
    [InlineData(StaffRoles.Agent, "+4915112346101")]
    [InlineData(StaffRoles.Supervisor, "+4915112346102")]
    [InlineData(StaffRoles.Admin, "+4915112346103")]
    public async Task Each_role_may_do_what_the_readme_table_says(string role, string phone)
    {
        var conversation = await ConversationAsync(phone);
        var client = system.Staff("matrix-" + role, role);
        var agentMayNot = new HashSet<string> { "AssignToOther", "ListAuditEntries" };

        foreach (var (call, run) in Calls(conversation))
        {
            var expected = role == StaffRoles.Agent && agentMayNot.Contains(call) ? StatusCode.PermissionDenied : StatusCode.OK;
            Assert.True(expected == await OutcomeAsync(() => run(client)), $"{role} {call}: expected {expected}");
        }
    }

    [Fact]
    public async Task Without_a_valid_token_for_this_tenant_nothing_is_allowed()
    {
        var conversation = await ConversationAsync("+4915112346104");
        var clients = new (string Who, StaffService.StaffServiceClient Client, StatusCode Expected)[]
        {
            ("no token", system.StaffWithToken(null), StatusCode.Unauthenticated),
            ("expired token", system.StaffWithToken(LocalSystem.Token("staff-01", StaffRoles.Supervisor, LocalSystem.Tenant, TimeSpan.FromMinutes(-5))), StatusCode.Unauthenticated),
            ("another tenant's supervisor", system.Staff("staff-01", StaffRoles.Supervisor, "999999"), StatusCode.PermissionDenied),
        };
        foreach (var (who, client, expected) in clients)
        {
            foreach (var (call, run) in Calls(conversation))
            {
                Assert.True(expected == await OutcomeAsync(() => run(client)), $"{who} {call}: expected {expected}");
            }
        }
        var untouched = await system.Staff("chef", StaffRoles.Supervisor).GetConversationAsync(new GetConversationRequest { Name = conversation });
        Assert.Equal(ConversationStatus.New, untouched.Summary.Status);
        Assert.DoesNotContain(untouched.Entries, e => e.Event is { Kind: ConversationEventKind.Note });
    }

    [Fact]
    public async Task Agents_may_not_touch_the_staff_coordination_section_supervisors_may()
    {
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(LocalSystem.StaffNumber, "Plakate für das Weinfest sind da")))
        {
        }
        var conversation = LocalSystem.ConversationName(LocalSystem.StaffNumber);
        var agent = system.Staff("agent-x", StaffRoles.Agent);
        var supervisor = system.Staff("chef-x", StaffRoles.Supervisor);
        var conversationCalls = new HashSet<string> { "GetConversation", "Reply", "AddNote", "SetStatus", "Snooze", "SetCategory", "SetPriority", "MarkRead", "AssignToOther" };

        foreach (var (call, run) in Calls(conversation).Where(c => conversationCalls.Contains(c.Call)))
        {
            Assert.True(StatusCode.PermissionDenied == await OutcomeAsync(() => run(agent)), $"agent {call}");
            Assert.True(StatusCode.OK == await OutcomeAsync(() => run(supervisor)), $"supervisor {call}");
        }
    }

    [Fact]
    public async Task Agents_may_not_read_or_change_a_staff_numbers_consent_or_lists_supervisors_may()
    {
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(LocalSystem.StaffNumber, "Bin heute im Bauhof erreichbar")))
        {
        }
        var conversation = LocalSystem.ConversationName(LocalSystem.StaffNumber);
        var list = $"tenants/{LocalSystem.Tenant}/lists/kitzrettung";
        var agent = system.Staff("agent-y", StaffRoles.Agent);
        var supervisor = system.Staff("chef-y", StaffRoles.Supervisor);
        var calls = new (string Call, Func<StaffService.StaffServiceClient, Task> Run)[]
        {
            ("GetCitizenConsent", c => c.GetCitizenConsentAsync(new GetCitizenConsentRequest { Conversation = conversation }).ResponseAsync),
            ("AddListMember by number", c => c.AddListMemberAsync(new AddListMemberRequest
            {
                List = list, PhoneNumber = LocalSystem.StaffNumber, ConsentNote = "Hat im Rathaus zugestimmt.",
            }).ResponseAsync),
            ("AddListMember by conversation", c => c.AddListMemberAsync(new AddListMemberRequest
            {
                List = list, Conversation = conversation, ConsentNote = "Hat im Rathaus zugestimmt.",
            }).ResponseAsync),
            ("RemoveListMember", c => c.RemoveListMemberAsync(new RemoveListMemberRequest { List = list, Conversation = conversation }).ResponseAsync),
        };
        foreach (var (call, run) in calls)
        {
            Assert.True(StatusCode.PermissionDenied == await OutcomeAsync(() => run(agent)), $"agent {call}");
            Assert.True(StatusCode.OK == await OutcomeAsync(() => run(supervisor)), $"supervisor {call}");
        }
        // An agent still adds an ordinary citizen.
        Assert.Equal(StatusCode.OK, await OutcomeAsync(() => agent.AddListMemberAsync(new AddListMemberRequest
        {
            List = list,
            PhoneNumber = "+4915112340777",
            ConsentNote = "Am Telefon zugestimmt.",
        }).ResponseAsync));
    }
}
