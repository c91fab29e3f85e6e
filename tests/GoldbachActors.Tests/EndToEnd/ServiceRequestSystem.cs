using System.Security.Cryptography;
using System.Text;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// One system for the request tests (they use their own citizens and request ids): the tenant with an Open311 key,
/// a rejection template, the demo street list and the departments' addresses, and the local mail server.
/// </summary>
public sealed class ServiceRequestSystem : IAsyncLifetime
{
    public const string ApiKey = "web-formular-schluessel-1";
    public const string RejectedTemplate = "anliegen_abgelehnt";

    public LocalSystem System { get; } = new();

    public MailServer Mail { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Mail = await MailServer.StartAsync();
        System.SiloSettings.AddRange(Mail.SiloSettings(System.GatewayHttp));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)));
        foreach (var settings in new[] { System.SiloSettings, System.GatewaySettings })
        {
            settings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Open311:ApiKeyHashes:0={hash}");
            settings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:RequestNotices:de:RejectedTemplate:Name={RejectedTemplate}");
            settings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:RequestNotices:de:RejectedTemplate:BodyParameters:0={{id}}");
            settings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:StreetListFile={Path.Combine(RepositoryRoot.Path, "deploy", "streets", "markt-goldbach.csv")}");
            // The town's departments with the addresses their requests are mailed to.
            foreach (var (id, department) in ServiceCatalog.DefaultDepartments)
            {
                settings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Departments:{id}:Name={department.Name}");
                settings.Add($"--Goldbach:Tenants:{LocalSystem.Tenant}:Departments:{id}:Email={id}@goldbach.example");
            }
        }
        await System.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Mail.DisposeAsync();
    }
}
