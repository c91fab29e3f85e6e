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

    /// <summary>The staff gRPC API behind JWT bearer authentication.</summary>
    public static WebApplicationBuilder AddStaffApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var production = builder.Environment.IsProduction();
        builder.Services.AddOptions<StaffAuthenticationOptions>()
            .Bind(builder.Configuration.GetSection(StaffAuthenticationOptions.SectionName))
            .ValidateDataAnnotations()
            // The local key and issuer are published in this repository: anyone could mint tokens with them.
            .Validate(
                o => !production || (o.SigningKey != LocalDevelopment.StaffSigningKey && o.Issuer != LocalDevelopment.StaffIssuer),
                "Staff:Authentication uses the local development issuer or signing key, which are refused in Production: " +
                "set the identity provider's issuer and the secret key (Staff__Authentication__SigningKey).")
            .ValidateOnStart();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<StaffAuthenticationOptions>>((o, auth) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.Value.SigningKey)),
                    // Only what the key is for: no other algorithm (a forged header cannot pick one) and JWTs only.
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidTypes = ["JWT"],
                    NameClaimType = StaffClaims.StaffId,
                    RoleClaimType = StaffClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<StaffAuditLog>();
        builder.Services.AddSingleton<ReadingSittings>();
        builder.Services.AddGrpc(o => o.Interceptors.Add<StaffErrorInterceptor>());
        // The standard gRPC health service (reports the gateway's readiness checks) and server reflection, so that
        // grpcurl and other generic tools work.
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return builder;
    }
}
