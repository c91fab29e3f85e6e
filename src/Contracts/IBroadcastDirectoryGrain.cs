using System.Collections.Immutable;

namespace GoldbachActors.Contracts;

/// <summary>The tenant's broadcasts, newest first, for staff. Keyed by the tenant.</summary>
[Alias("goldbach.IBroadcastDirectoryGrain")]
public interface IBroadcastDirectoryGrain : IGrainWithStringKey
{
    [Alias("List")]
    Task<ImmutableArray<BroadcastProgress>> ListAsync(int max);

    /// <summary>Who would get a broadcast of <paramref name="content"/> to <paramref name="listId"/> now, and how.</summary>
    [Alias("Preview")]
    Task<BroadcastPreview> PreviewAsync(string listId, BroadcastContent content);
}
