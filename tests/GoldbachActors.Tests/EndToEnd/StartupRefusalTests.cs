using GoldbachActors.Gateway;
using GoldbachActors.Gateway.Staff;
using GoldbachActors.ServiceDefaults;
using GoldbachActors.Silo;
using GoldbachActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// Hosts refuse to start on secrets that this repository publishes: the development staff key outside a developer's
/// machine would let anyone mint staff tokens, the development redaction key would make telemetry's hashes reversible.
/// </summary>
public sealed class StartupRefusalTests
{
    private static WebApplicationOptions Host(string environment, params string[] args) => new()
    {
        EnvironmentName = environment,
        ContentRootPath = AppContext.BaseDirectory,
        Args =
        [
            // Storage is never reached: the hosts refuse before they start anything.
            "--ConnectionStrings:Storage=UseDevelopmentStorage=true",
            "--Orleans:ClusterId=refusal-test",
            "--WhatsApp:Webhook:AppSecret=test-app-secret-0123456789",
            "--WhatsApp:Webhook:VerifyToken=test-verify-token",
            $"--Goldbach:Tenants:{LocalSystemHost.Tenant}:Name=Markt Goldbach",
            $"--Goldbach:Tenants:{LocalSystemHost.Tenant}:AcknowledgementText={LocalSystemHost.AcknowledgementText}",
            .. args,
        ],
    };

    [Theory]
    [InlineData("Production", "--Staff:Authentication:Issuer=https://login.goldbach.example/", $"--Staff:Authentication:SigningKey={LocalDevelopment.StaffSigningKey}")]
    [InlineData("Production", $"--Staff:Authentication:Issuer={LocalDevelopment.StaffIssuer}", "--Staff:Authentication:SigningKey=a-real-secret-from-the-secret-store-0123456789")]
    [InlineData("Production", "--Staff:Authentication:Authority=https://login.goldbach.example/realms/goldbach", "--Staff:Authentication:SigningKey=a-real-secret-from-the-secret-store-0123456789")]
    [InlineData("Production", "--Staff:Authentication:Authority=http://localhost:5180", "--Staff:Authentication:RequireHttpsMetadata=false")]
    public async Task The_gateway_refuses_development_tokens_and_a_plain_http_provider_in_production(string environment, string issuer, string key)
    {
        await using var gateway = GatewayApplication.Build(Host(environment,
            $"--Telemetry:Redaction:Key={LocalSystemHost.RedactionKey}", issuer, key, "--Staff:Authentication:Audience=goldbach-staff",
            "--Staff:Authentication:Claims:Roles:goldbach-agent=agent", "--Staff:Authentication:Claims:GroupTenants:markt-goldbach=106540352242922"));
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => gateway.StartAsync());
        Assert.Equal(typeof(StaffAuthenticationOptions), refused.OptionsType);
        Assert.Contains("refused in Production", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Staging")]
    [InlineData("Production")]
    public void Silo_and_gateway_refuse_to_start_without_their_own_redaction_key_outside_development(string environment)
    {
        var silo = Assert.Throws<InvalidOperationException>(() => SiloApplication.Build(Host(environment)));
        var gateway = Assert.Throws<InvalidOperationException>(() => GatewayApplication.Build(Host(environment)));
        Assert.All([silo, gateway], e => Assert.Contains("Telemetry:Redaction:Key is not set", e.Message, StringComparison.Ordinal));
    }
}
