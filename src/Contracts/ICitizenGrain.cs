namespace GoldbachActors.Contracts;

/// <summary>
/// One citizen of one tenant: their conversation with the town, their acknowledgement state and the outbox of
/// messages the town sends them. Keyed by <see cref="CitizenKey.GrainKey"/>. One grain (one key, one state) with
/// its roles as interfaces in <c>Citizens/</c>, each for the callers that need only that part; this one combines them.
/// </summary>
[Alias("goldbach.ICitizenGrain")]
public interface ICitizenGrain : ICitizenConversation, ICitizenDelivery, ICitizenIdentity, ICitizenLists, ICitizenPrivacy
{
}
