using System.Net;
using System.Text;
using GoldbachActors.Contracts;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>The staff API over real sockets: authentication, tenant isolation, validation, idempotent replies.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class StaffApiTests(LocalSystem system)
{
    private static readonly ListConversationsRequest OwnInbox = new() { Parent = $"tenants/{LocalSystem.Tenant}" };

    [Fact]
    public async Task Call_without_a_token_is_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => system.StaffWithToken(null).ListConversationsAsync(OwnInbox).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Expired_or_forged_token_is_unauthenticated()
    {
        var expired = LocalSystem.Token("staff-01", StaffRoles.Agent, LocalSystem.Tenant, TimeSpan.FromMinutes(-5));
        var forged = new Cli.DevelopmentTokenIssuer("goldbach-test", LocalSystemHost.Audience, "another-key-0123456789-0123456789-0123", TimeProvider.System)
            .Mint("staff-01", StaffRoles.Agent, LocalSystem.Tenant, TimeSpan.FromMinutes(5));

        // The right key, but an algorithm or a token type the gateway does not accept.
        var otherAlgorithm = Handcrafted(SecurityAlgorithms.HmacSha384, "JWT");
        var otherType = Handcrafted(SecurityAlgorithms.HmacSha256, "at+jwt");
        Assert.Equal(StatusCode.OK, await OutcomeAsync(Handcrafted(SecurityAlgorithms.HmacSha256, "JWT")));

        foreach (var token in new[] { expired, forged, otherAlgorithm, otherType })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => system.StaffWithToken(token).ListConversationsAsync(OwnInbox).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }
    }

    private async Task<StatusCode> OutcomeAsync(string token)
    {
        try
        {
            await system.StaffWithToken(token).ListConversationsAsync(OwnInbox).ResponseAsync;
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    private static string Handcrafted(string algorithm, string type) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = LocalSystem.Issuer,
        Audience = LocalSystem.Audience,
        Expires = DateTime.UtcNow.AddMinutes(5),
        TokenType = type,
        Claims = new Dictionary<string, object>
        {
            [Contracts.StaffClaims.StaffId] = "staff-01",
            [Contracts.StaffClaims.Role] = StaffRoles.Agent,
            [Contracts.StaffClaims.Tenant] = LocalSystem.Tenant,
        },
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(LocalSystem.SigningKey)), algorithm),
    });

    [Fact]
    public async Task Staff_of_another_tenant_see_nothing_of_this_one()
    {
        const string phone = "+4915112345610";
        using (var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var otherTown = system.Staff("staff-99", StaffRoles.Supervisor, tenant: "999999999");

        var list = await Assert.ThrowsAsync<RpcException>(() => otherTown.ListConversationsAsync(OwnInbox).ResponseAsync);
        var get = await Assert.ThrowsAsync<RpcException>(() => otherTown.GetConversationAsync(
            new GetConversationRequest { Name = LocalSystem.ConversationName(phone) }).ResponseAsync);
        var reply = await Assert.ThrowsAsync<RpcException>(() => otherTown.ReplyAsync(
            new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = "x" }).ResponseAsync);

        Assert.All(new[] { list, get, reply }, e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
    }

    [Fact]
    public async Task Front_ends_learn_the_tenants_name_categories_and_languages()
    {
        var tenant = await system.Staff().GetTenantAsync(new GetTenantRequest { Name = $"tenants/{LocalSystem.Tenant}" });

        Assert.Equal("Markt Goldbach", tenant.DisplayName);
        Assert.Contains("Spielplatz", tenant.Categories);
        Assert.Contains("Sonstiges", tenant.Categories);
        Assert.Equal(tenant.Categories.Order(StringComparer.Create(new System.Globalization.CultureInfo("de-DE"), true)), tenant.Categories);
        Assert.Equal("de", tenant.Languages[0]);

        var otherTown = await Assert.ThrowsAsync<RpcException>(() => system.Staff(tenant: "999999999")
            .GetTenantAsync(new GetTenantRequest { Name = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, otherTown.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => system.Staff(tenant: "999999999")
            .GetTenantAsync(new GetTenantRequest { Name = "tenants/999999999" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var malformed = await Assert.ThrowsAsync<RpcException>(() => system.Staff()
            .GetTenantAsync(new GetTenantRequest { Name = "tenant/1" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
    }

    [Fact]
    public async Task The_gateway_serves_the_web_inbox_with_a_strict_content_security_policy()
    {
        using var index = await system.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        var html = await index.Content.ReadAsStringAsync();
        Assert.Contains("<title>Bürgerservice WhatsApp", html, StringComparison.Ordinal);
        var csp = string.Join(' ', index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("no-cache", index.Headers.CacheControl?.ToString());

        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        using var asset = await system.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Contains("immutable", asset.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(' ', asset.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("conversations/1")]
    [InlineData("tenants/106540352242922/conversations/")]
    [InlineData("tenants/abc/conversations/DE.123")]
    [InlineData("tenants/106540352242922/conversations/+49 151 123")]
    public async Task Malformed_conversation_name_is_an_invalid_argument(string name)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => system.Staff()
            .GetConversationAsync(new GetConversationRequest { Name = name }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Reply_to_a_citizen_who_never_wrote_is_not_found_and_sends_nothing()
    {
        const string phone = "+4915112345611";
        var error = await Assert.ThrowsAsync<RpcException>(() => system.Staff().ReplyAsync(
            new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = "Hallo?" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Empty(system.SentMessages.List(phone));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Empty_reply_is_an_invalid_argument(string text)
    {
        const string phone = "+4915112345612";
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo")))
        {
        }
        var error = await Assert.ThrowsAsync<RpcException>(() => system.Staff().ReplyAsync(
            new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = text }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Too_long_reply_is_an_invalid_argument()
    {
        const string phone = "+4915112345613";
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Hallo")))
        {
        }
        var error = await Assert.ThrowsAsync<RpcException>(() => system.Staff().ReplyAsync(
            new ReplyRequest { Conversation = LocalSystem.ConversationName(phone), Text = new string('a', 4097) }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Reply_retried_with_the_same_request_id_is_sent_once()
    {
        const string phone = "+4915112345614";
        using (await system.PostWebhookAsync(LocalSystem.TextWebhook(phone, "Wann hat das Rathaus offen?")))
        {
        }
        await system.WaitForSentAsync(phone, 1);
        var request = new ReplyRequest
        {
            Conversation = LocalSystem.ConversationName(phone),
            Text = "Montag bis Freitag von 8 bis 12 Uhr.",
            RequestId = "7b1c0f7e-retry",
        };

        var first = await system.Staff().ReplyAsync(request);
        var again = await system.Staff().ReplyAsync(request);

        Assert.Equal(first.Id, again.Id);
        // The reply goes out, and a second later still only once.
        Assert.Equal(request.Text, (await system.WaitForSentAsync(phone, 2))[1].Text);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, system.SentMessages.List(phone).Count);
    }

    [Fact]
    public async Task Inbox_pages_through_every_conversation_newest_first()
    {
        var start = DateTimeOffset.UtcNow.AddHours(1);
        var phones = Enumerable.Range(0, 5).Select(i => $"+491701234560{i}").ToList();
        for (var i = 0; i < phones.Count; i++)
        {
            using var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(phones[i], $"Nachricht {i}", at: start.AddMinutes(i)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var listed = new List<StaffApi.V1.ConversationSummary>();
        var token = "";
        do
        {
            var page = await system.Staff().ListConversationsAsync(new ListConversationsRequest
            {
                Parent = $"tenants/{LocalSystem.Tenant}",
                PageSize = 2,
                PageToken = token,
            });
            Assert.True(page.Conversations.Count <= 2);
            listed.AddRange(page.Conversations);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        // These five (not yet due) come newest first, after urgent and overdue conversations of other tests.
        var expected = phones.AsEnumerable().Reverse().Select(LocalSystem.ConversationName).ToList();
        Assert.Equal(expected, listed.Where(c => expected.Contains(c.Name)).Select(c => c.Name));
        Assert.Equal(listed.Count, listed.Select(c => c.Name).Distinct().Count());
        Assert.Equal(listed.OrderByDescending(c => c.Urgent).Select(c => c.Name), listed.Select(c => c.Name));

        // Danger is listed before everything else, with its category and due at once.
        const string danger = "+4917012345699";
        using (var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(danger, "Umgestürzter Baum auf dem Spielplatz, ein Kind ist verletzt!", at: start.AddMinutes(-30))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // (Other tests of this shared system may have reported danger too: only urgent ones come before it.)
        var top = (await system.Staff().ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}", PageSize = 500 })).Conversations.ToList();
        var index = top.FindIndex(c => c.Name == LocalSystem.ConversationName(danger));
        Assert.All(top.Take(index + 1), c => Assert.True(c.Urgent));
        Assert.Equal((true, "Spielplatz"), (top[index].Urgent, top[index].Category));
        Assert.Equal(start.AddMinutes(-30).ToUnixTimeSeconds(), top[index].DueTime.Seconds);
    }

    [Fact]
    public async Task Foreign_page_token_is_an_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => system.Staff().ListConversationsAsync(new ListConversationsRequest
        {
            Parent = $"tenants/{LocalSystem.Tenant}",
            PageToken = "bm90LWEtdG9rZW4",
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}
