using System.Net;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains;
using GoldbachActors.ServiceDefaults;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace GoldbachActors.Silo;

/// <summary>The silo's Orleans configuration: cluster membership and grain state in Azure Storage.</summary>
public static class SiloHostingExtensions
{
    /// <summary>The Azure Table that holds citizens' grain state.</summary>
    public const string CitizenStateTable = "GoldbachCitizens";

    /// <summary>The Azure Table that holds per-tenant grain state (the duty service).</summary>
    public const string TenantStateTable = "GoldbachTenants";

    /// <summary>The Azure Table of the grains' durable reminders.</summary>
    public const string ReminderTable = "GoldbachReminders";

    public static WebApplicationBuilder AddGoldbachSilo(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tables = builder.AddGoldbachStorage();
        var cluster = ClusterIdentityOptions.From(builder.Configuration);
        var endpoints = SiloEndpointOptions.From(builder.Configuration);
        builder.Services.AddGoldbachGrains(builder.Configuration);

        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            })
            .Configure<SiloOptions>(o => o.SiloName = endpoints.SiloName)
            // Failure detection: a killed silo is declared dead after 3 missed probes 2 s apart and 2 votes (about 6 s,
            // Orleans' default is 15 s), so that its citizens are served again within 10 s. A silo that is itself
            // degraded (starved threads, long pauses) waits longer before it suspects another, so that load alone does
            // not cause a false suspicion. Operators may change it under Orleans:Membership.
            .Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 3;
                o.NumVotesForDeathDeclaration = 2;
                o.ExtendProbeTimeoutDuringDegradation = true;
            })
            .ConfigureEndpoints(
                endpoints.AdvertisedAddress, endpoints.SiloPort, endpoints.GatewayPort,
                listenOnAnyHostAddress: !IPAddress.IsLoopback(endpoints.AdvertisedAddress))
            .UseAzureStorageClustering(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = cluster.MembershipTable;
            })
            // Reminders wake a grain at a time even when it is not active (a snoozed conversation's end).
            .UseAzureTableReminderService(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = ReminderTable;
            })
            .AddAzureTableGrainStorage(StorageNames.Citizens, options => options.Configure<Serializer>((o, serializer) =>
            {
                o.TableServiceClient = tables;
                o.TableName = CitizenStateTable;
                // Orleans' own version-tolerant format: state follows the [Id]s of [GenerateSerializer] types.
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                // An erased citizen's row goes, key (their identity) and all; Orleans would otherwise keep an empty one.
                o.DeleteStateOnClear = true;
            }))
            .AddAzureTableGrainStorage(StorageNames.Tenants, options => options.Configure<Serializer>((o, serializer) =>
            {
                o.TableServiceClient = tables;
                o.TableName = TenantStateTable;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }))
            .AddActivityPropagation()
            .AddGoldbachDashboard(builder.Configuration));
        // After the defaults above, so that configuration wins.
        builder.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
        builder.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod =
            builder.Configuration.GetSection($"{GoldbachOptions.SectionName}:Schedules").Get<ScheduleOptions>()?.MinimumReminderPeriod ?? o.MinimumReminderPeriod);
        return builder;
    }
}
