using System.Collections.Immutable;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>
/// A conversation that an identity of a citizen (a new phone number or user id) collected before WhatsApp told us
/// it belongs to a citizen the town already knows; handed over so that one citizen keeps one conversation.
/// </summary>
[GenerateSerializer, Immutable, Alias("goldbach.CitizenHandover")]
public sealed record CitizenHandover(
    [property: Id(0)] ImmutableArray<InboundMessage> Inbound,
    [property: Id(1)] ImmutableArray<OutboundMessage> Outbound,
    [property: Id(2)] bool Acknowledged,
    [property: Id(3), PersonalIdentifier] string? PhoneNumber,
    [property: Id(4), PersonalIdentifier] string? ProfileName)
{
    /// <summary>The identity's broadcast list memberships (e.g. staff added the number before the citizen wrote).</summary>
    [Id(5)] public ImmutableArray<ListMembership> Memberships { get; init; } = [];

    [Id(6)] public ImmutableArray<ConsentRecord> ConsentHistory { get; init; } = [];

    [Id(7)] public ImmutableArray<string> HandledBroadcasts { get; init; } = [];

    [Id(8)] public bool MarketingStopped { get; init; }
}
