using System.Text;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Gateway.Staff;
using GoldbachActors.Gateway.Webhooks;
using GoldbachActors.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Orleans.Configuration;

namespace GoldbachActors.Gateway;

/// <summary>The gateway's wiring: the Orleans client, the webhook intake and the staff API.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>An Orleans client that finds the silos through the Azure Table membership.</summary>
    public static WebApplicationBuilder AddGoldbachClusterClient(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tables = builder.AddGoldbachStorage();
        var cluster = ClusterIdentityOptions.From(builder.Configuration);
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            })
            .UseAzureStorageClustering(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = cluster.MembershipTable;
            })
            // A silo that replaces a lost one (new address) is found within seconds, not the default minute.
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(10))
            .AddActivityPropagation());
        builder.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetry>();
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [HealthHostingExtensions.Ready]);
        return builder;
    }

    /// <summary>The WhatsApp webhook: its secrets, the tenants it accepts, the intake into the grains.</summary>
    public static WebApplicationBuilder AddWhatsAppWebhooks(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(WebhookOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddGoldbachTenants(builder.Configuration);
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<WebhookJournal>();
        builder.Services.AddSingleton<WebhookProcessor>();
        builder.Services.AddSingleton<WebhookAcceptance>();
        // The journal first: it starts before the processor and stops after it.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookJournal>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessor>());
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebhookOptions>>((limits, webhook) =>
        {
            limits.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limits.OnRejected = (context, _) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<WebhookMetrics>().Request("busy", 0);
                return ValueTask.CompletedTask;
            };
            limits.AddConcurrencyLimiter(WebhookEndpoints.ReadLimit, o =>
            {
                o.PermitLimit = webhook.Value.MaxConcurrentReads;
                o.QueueLimit = webhook.Value.ReadQueueLimit;
                o.QueueProcessingOrder = System.Threading.RateLimiting.QueueProcessingOrder.OldestFirst;
            });
        });
        return builder;
    }

    /// <summary>
    /// The staff gRPC API behind JWT bearer authentication: tokens of the town's OpenID provider (discovery, JWKS with
    /// rotation, an algorithm allow-list, issuer, audience and lifetime), and in Development also the HMAC tokens
    /// <c>goldbach token</c> mints.
    /// </summary>
    public static WebApplicationBuilder AddStaffApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var production = builder.Environment.IsProduction();
        builder.Services.AddOptions<StaffAuthenticationOptions>()
            .Bind(builder.Configuration.GetSection(StaffAuthenticationOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrEmpty(o.Authority) || (!string.IsNullOrEmpty(o.SigningKey) && !string.IsNullOrEmpty(o.Issuer)),
                "Staff:Authentication needs the identity provider (Authority), or for development an Issuer and a SigningKey.")
            // The HMAC key is for development: whoever holds it mints tokens for anyone. The local key and issuer are
            // published in this repository.
            .Validate(o => !production || (string.IsNullOrEmpty(o.SigningKey) && o.Issuer != LocalDevelopment.StaffIssuer),
                "Staff:Authentication:SigningKey (HMAC development tokens) is refused in Production: staff sign in with the " +
                "town's identity provider (set Staff:Authentication:Authority; see docs/operations.md).")
            .Validate(o => !production || o.RequireHttpsMetadata,
                "Staff:Authentication:RequireHttpsMetadata=false is for a local identity provider only; refused in Production.")
            .Validate(o => string.IsNullOrEmpty(o.Authority) || o.Claims.Roles.Count > 0,
                "Staff:Authentication:Claims:Roles maps none of the provider's roles to agent, supervisor or admin: nobody could sign in.")
            .Validate(o => string.IsNullOrEmpty(o.Authority) || o.Claims.TenantClaim is not null || o.Claims.GroupTenants.Count > 0,
                "Staff:Authentication:Claims needs a TenantClaim or GroupTenants: a token must say for which town it is.")
            .Validate(o => o.KeyRefreshInterval >= TimeSpan.FromSeconds(1), "Staff:Authentication:KeyRefreshInterval is at least 1 s.")
            .Validate(o => o.ClockSkew >= TimeSpan.Zero && o.ClockSkew <= TimeSpan.FromMinutes(5), "Staff:Authentication:ClockSkew is between 0 and 5 minutes.")
            .Validate(o => string.IsNullOrEmpty(o.SigningKey) || o.SigningKey.Length >= 32, "Staff:Authentication:SigningKey has at least 32 characters.")
            .ValidateOnStart();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<StaffAuthenticationOptions>>((o, options) => StaffAuthentication.Configure(o, options.Value));
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<StaffAuditLog>();
        builder.Services.AddSingleton<ReadingSittings>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<DepartmentScopeInterceptor>();
            o.Interceptors.Add<StaffErrorInterceptor>();
        });
        // The standard gRPC health service (reports the gateway's readiness checks) and server reflection, so that
        // grpcurl and other generic tools work.
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return builder;
    }
}
