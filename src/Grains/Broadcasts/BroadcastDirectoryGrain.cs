using System.Collections.Immutable;
using GoldbachActors.Contracts;
using Orleans.Concurrency;

namespace GoldbachActors.Grains.Broadcasts;

/// <summary>
/// Lists a tenant's broadcasts (from their stored progress) and previews a new one by asking each member's citizen
/// grain how it would be reached. Stateless: any silo answers.
/// </summary>
[StatelessWorker]
public sealed class BroadcastDirectoryGrain(IBroadcastStore store) : Grain, IBroadcastDirectoryGrain
{
    private const int PreviewParallelism = 100;

    public async Task<ImmutableArray<BroadcastProgress>> ListAsync(int max)
    {
        var all = await store.ListBroadcastsAsync(this.GetPrimaryKeyString());
        return [.. all.OrderByDescending(b => b.CreatedAt).Take(Math.Clamp(max, 1, 500))];
    }

    public async Task<BroadcastPreview> PreviewAsync(string listId, BroadcastContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var tenant = this.GetPrimaryKeyString();
        var members = await GrainFactory.GetGrain<IBroadcastListGrain>(ListIds.GrainKey(tenant, listId)).GetMembersAsync();
        var byLanguage = new Dictionary<string, int>(StringComparer.Ordinal);
        int asText = 0, asTemplate = 0, excluded = 0;
        foreach (var chunk in members.Chunk(PreviewParallelism))
        {
            var audiences = await Task.WhenAll(chunk.Select(m =>
                GrainFactory.GetGrain<ICitizenGrain>(m.CitizenKey).GetBroadcastAudienceAsync(listId, content.IsMarketing)));
            foreach (var audience in audiences)
            {
                if (!audience.Member || (content.IsMarketing && audience.MarketingStopped))
                {
                    excluded++;
                    continue;
                }
                var language = audience.Language ?? "de";
                if (!content.IsTemplate && content.TextFor(language) is { } text)
                {
                    language = text.Language;
                }
                byLanguage[language] = byLanguage.GetValueOrDefault(language) + 1;
                if (content.IsTemplate || !audience.WindowOpen)
                {
                    asTemplate++;
                }
                else
                {
                    asText++;
                }
            }
        }
        var forecast = await GrainFactory.GetGrain<IMessagingLimitGrain>(tenant).PlanAsync(asTemplate);
        return new BroadcastPreview
        {
            Members = members.Length,
            ByLanguage = byLanguage.ToImmutableDictionary(),
            AsText = asText,
            AsTemplate = asTemplate,
            Excluded = excluded,
            LimitRemaining = forecast.Remaining,
            Plan = forecast.Plan,
        };
    }
}
