namespace GoldbachActors.Contracts;

/// <summary>A role of the citizen grain (<see cref="ICitizenGrain"/>): identity changes: an old number or user id handing over to the citizen it became.</summary>
[Alias("goldbach.ICitizenIdentity")]
public interface ICitizenIdentity : IGrainWithStringKey
{
    /// <summary>
    /// Called on a citizen's new identity (a changed number or user id) by the grain that keeps the citizen
    /// (<paramref name="canonicalGrainKey"/>): from now on this grain passes every call on, and it returns what it
    /// collected meanwhile. Idempotent.
    /// </summary>
    [Alias("HandOverTo")]
    Task<CitizenHandover> HandOverToAsync(string canonicalGrainKey);

    /// <summary>Forgets the conversation handed over by <see cref="HandOverToAsync"/> once the keeper stored it.</summary>
    [Alias("CompleteHandOver")]
    Task CompleteHandOverAsync();

    /// <summary>
    /// Called by the citizen's keeper (<paramref name="keeperGrainKey"/>) while it is erased: this former identity
    /// forgets that it pointed there (its stored state is deleted). Does nothing for any other caller's key. Interleaves:
    /// the erasure may have come through this very identity, which then waits for the keeper.
    /// </summary>
    [Alias("ForgetAlias"), Orleans.Concurrency.AlwaysInterleave]
    Task ForgetAliasAsync(string keeperGrainKey);
}
