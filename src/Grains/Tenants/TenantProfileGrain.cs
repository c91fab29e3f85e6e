using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Tenants;

/// <summary>Answers from the silo's tenant rules; as a stateless worker it runs locally wherever it is called.</summary>
[StatelessWorker]
public sealed class TenantProfileGrain(TenantPolicies policies) : Grain, ITenantProfileGrain
{
    public Task<TenantProfile> GetAsync()
    {
        var tenant = this.GetPrimaryKeyString();
        var policy = policies.Find(tenant) ?? throw new KeyNotFoundException($"No tenant owns the phone_number_id '{tenant}'.");
        return Task.FromResult(new TenantProfile(
            policy.Options.Name,
            [.. policy.Categories.Order(StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), ignoreCase: true))],
            policy.Options.WindowTemplate?.Name,
            ["de", .. policy.Options.Languages.Keys.Order(StringComparer.Ordinal)]));
    }
}
