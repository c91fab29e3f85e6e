using System.Text.Json;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// Staff signed in at the town's OpenID provider: the real one (oidc-provider) as its own process, its login form, its
/// JWKS; the gateway validates its tokens (and only its tokens: no HMAC key configured, as in Production).
/// </summary>
public sealed class StaffSignInTests : IAsyncLifetime
{
    private LocalSystem _system = null!;
    private IdentityProvider _provider = null!;

    public async Task InitializeAsync()
    {
        (_system, _provider) = await LocalSystem.WithProviderOnlyAsync();
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private async Task<string> AccessTokenAsync(string login) =>
        (await _provider.SignInAsync(login, $"{login}-demo")).GetProperty("access_token").GetString()!;

    private static async Task<RpcException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private static readonly string Parent = $"tenants/{LocalSystem.Tenant}";
    private static readonly string[] SupervisorRoles = ["goldbach-supervisor"];
    private static readonly string[] GoldbachGroups = ["markt-goldbach"];

    [Fact]
    public async Task A_supervisor_and_an_agent_signed_in_at_the_provider_work_with_their_roles_under_their_stable_subject()
    {
        var supervisor = _system.StaffWithToken(await AccessTokenAsync("vorzimmer"));
        var agent = _system.StaffWithToken(await AccessTokenAsync("bauhof"));

        // Front ends learn where to sign in without a token, and who a token is as the gateway maps it.
        var settings = await _system.StaffWithToken(null).GetSignInSettingsAsync(new GetSignInSettingsRequest());
        Assert.Equal((_provider.Issuer, "goldbach-inbox", "goldbach-cli", false), (settings.Authority, settings.InboxClientId, settings.CliClientId, settings.DevelopmentTokens));
        var me = await supervisor.GetSignedInStaffAsync(new GetSignedInStaffRequest());
        Assert.Equal(("staff-vorzimmer", "Vorzimmer", "supervisor", Parent), (me.StaffId, me.DisplayName, me.Role, me.Tenant));
        Assert.InRange(me.ExpireTime.ToDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(11));
        await Assert.ThrowsAsync<RpcException>(() => _system.StaffWithToken(null).GetSignedInStaffAsync(new GetSignedInStaffRequest()).ResponseAsync);
        // A town the provider knows and this system does not serve is refused at sign-in already.
        var neighbour = _system.StaffWithToken(await AccessTokenAsync("nachbarort"));
        var elsewhere = await RefusedAsync(() => neighbour.GetSignedInStaffAsync(new GetSignedInStaffRequest()).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "Ihre Gemeinde ist in diesem System nicht eingerichtet: bitte bei der IT melden."),
            (elsewhere.StatusCode, elsewhere.Status.Detail));

        await supervisor.ListConversationsAsync(new ListConversationsRequest { Parent = Parent });
        await agent.ListConversationsAsync(new ListConversationsRequest { Parent = Parent });
        var audit = await supervisor.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = Parent });
        Assert.Contains(audit.Entries, e => (e.StaffId, e.StaffName, e.Role) == ("staff-bauhof", "Bauhof", "agent"));
        Assert.Contains(audit.Entries, e => (e.StaffId, e.StaffName, e.Role) == ("staff-vorzimmer", "Vorzimmer", "supervisor"));
        Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(() => agent.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = Parent }).ResponseAsync)).StatusCode);

        // A wrong password is refused by the provider's form.
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => _provider.SignInAsync("vorzimmer", "falsch"));
        Assert.Contains("Benutzername oder Passwort ist falsch.", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_the_gateway_must_not_trust_are_refused_each_with_its_reason()
    {
        var key = new JsonWebKey(_provider.SigningKeys()[0].GetRawText());
        string Forged(string algorithm, string issuer, DateTime? expires = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = IdentityProvider.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "staff-vorzimmer", ["roles"] = SupervisorRoles, ["groups"] = GoldbachGroups },
            IssuedAt = DateTime.UtcNow.AddHours(-2),
            NotBefore = DateTime.UtcNow.AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
        var cases = new (string What, string? Token, StatusCode Status, string Reason)[]
        {
            ("no role at the provider", await AccessTokenAsync("praktikum"), StatusCode.PermissionDenied, "keine Rolle für den Posteingang"),
            ("another town's staff", await AccessTokenAsync("nachbarort"), StatusCode.PermissionDenied, "nicht zu dieser Gemeinde"),
            ("another issuer (the provider's key)", Forged(SecurityAlgorithms.RsaSha256, "https://login.anderswo.example/"), StatusCode.Unauthenticated, "nicht vom Anmeldedienst dieser Gemeinde"),
            ("an unlisted algorithm (RS512, the provider's key)", Forged(SecurityAlgorithms.RsaSha512, _provider.Issuer), StatusCode.Unauthenticated, "nicht zugelassenen Verfahren"),
            ("expired", Forged(SecurityAlgorithms.RsaSha256, _provider.Issuer, DateTime.UtcNow.AddMinutes(-5)), StatusCode.Unauthenticated, "abgelaufen"),
            ("HS256 with the development key (refused as in Production)", LocalSystem.Token("staff-01", "supervisor", LocalSystem.Tenant), StatusCode.Unauthenticated, "nicht zugelassenen Verfahren"),
            ("not a JWT", "kein-token", StatusCode.Unauthenticated, "ungültig"),
            ("no token", null, StatusCode.Unauthenticated, ""),
        };
        // The control: the same forged shape with the right issuer and algorithm is accepted (the key is the provider's).
        await _system.StaffWithToken(Forged(SecurityAlgorithms.RsaSha256, _provider.Issuer)).ListConversationsAsync(new ListConversationsRequest { Parent = Parent });
        foreach (var (what, token, status, reason) in cases)
        {
            var refused = await RefusedAsync(() => _system.StaffWithToken(token).ListConversationsAsync(new ListConversationsRequest { Parent = Parent }).ResponseAsync);
            Assert.True(status == refused.StatusCode, $"{what}: {refused.StatusCode} {refused.Status.Detail}");
            Assert.True(refused.Status.Detail.Contains(reason, StringComparison.Ordinal), $"{what}: {refused.Status.Detail}");
        }
    }

    [Fact]
    public async Task After_the_provider_rotates_its_key_old_tokens_work_until_they_expire_and_new_ones_at_once()
    {
        var before = _system.StaffWithToken(await AccessTokenAsync("vorzimmer"));
        await before.ListConversationsAsync(new ListConversationsRequest { Parent = Parent });
        var oldKey = _provider.SigningKeys()[0].GetProperty("kid").GetString();

        await _provider.RotateKeysAsync();
        var newToken = await AccessTokenAsync("vorzimmer");
        Assert.NotEqual(oldKey, new JsonWebToken(newToken).Kid);
        Assert.Equal(oldKey, _provider.SigningKeys()[1].GetProperty("kid").GetString());

        // An unknown key id makes the gateway fetch the keys again (at most once a KeyRefreshInterval, 1 s here).
        await Eventually.Succeeds<ListConversationsResponse, RpcException>(
            () => _system.StaffWithToken(newToken).ListConversationsAsync(new ListConversationsRequest { Parent = Parent }).ResponseAsync,
            TimeSpan.FromSeconds(5));
        await before.ListConversationsAsync(new ListConversationsRequest { Parent = Parent });
    }
}

/// <summary>The gateway starts while the provider is down: webhooks go on, staff calls say why they fail until it is back.</summary>
public sealed class StaffSignInOutageTests : IAsyncLifetime
{
    private readonly LocalSystem _system = new();
    private readonly int _providerPort = FreePort.Next();

    public async Task InitializeAsync()
    {
        _system.GatewaySettings.AddRange([
            $"--Staff:Authentication:Authority=http://localhost:{_providerPort}",
            "--Staff:Authentication:RequireHttpsMetadata=false",
            $"--Staff:Authentication:Audience={IdentityProvider.Audience}",
            "--Staff:Authentication:KeyRefreshInterval=00:00:01",
            "--Staff:Authentication:Claims:Roles:goldbach-supervisor=supervisor",
            $"--Staff:Authentication:Claims:GroupTenants:markt-goldbach={LocalSystem.Tenant}",
            "--Staff:Authentication:SigningKey=",
        ]);
        await _system.InitializeAsync();
    }

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task Staff_calls_fail_with_Anmeldedienst_nicht_erreichbar_until_the_provider_is_back_and_webhooks_are_unaffected()
    {
        var citizen = new Citizen("+4915212390001");
        using (var response = await _system.PostWebhookAsync(Payloads.Messages(citizen, $$"""{{citizen.From(LocalSystem.NewWamid())}},"type":"text","text":{"body":"Ist der Wertstoffhof am Samstag offen?"}""")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
        await _system.WaitUntilRecordedAsync();
        var someToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = $"http://localhost:{_providerPort}",
            Audience = IdentityProvider.Audience,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
        var refused = await Assert.ThrowsAsync<RpcException>(() => _system.StaffWithToken(someToken)
            .ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync);
        Assert.True(refused.StatusCode == StatusCode.Unavailable && refused.Status.Detail.StartsWith("Anmeldedienst nicht erreichbar", StringComparison.Ordinal),
            $"{refused.StatusCode}: {refused.Status.Detail}");

        // The provider comes up on its address: the next sign-in works.
        await using var provider = await IdentityProvider.StartAsync(_system.GatewayHttp.ToString(), port: _providerPort);
        var token = (await provider.SignInAsync("vorzimmer", "vorzimmer-demo")).GetProperty("access_token").GetString();
        var page = await Eventually.Succeeds<ListConversationsResponse, RpcException>(
            () => _system.StaffWithToken(token).ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync,
            TimeSpan.FromSeconds(10));
        Assert.Contains(page.Conversations, c => c.Name == citizen.ConversationName);
    }
}
