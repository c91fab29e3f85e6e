using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

/// <summary>List keywords and "STOP" applied to the citizen state, without a cluster.</summary>
public sealed class KeywordConsentTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 8, 0, 0, TimeSpan.Zero);

    private static readonly TenantPolicy Policy = new TenantPolicies(ConfiguredTenants.Cache(new GoldbachOptions
    {
        Tenants =
        {
            ["1"] = new TenantOptions
            {
                Name = "Markt Goldbach",
                Lists =
                {
                    ["kitzrettung"] = new BroadcastListOptions { Name = "Kitzrettung", Keywords = { ["de"] = ["START KITZ"] } },
                    ["ukraine-info"] = new BroadcastListOptions
                    {
                        Name = "Info Ukraine",
                        Languages = ["uk", "de"],
                        Keywords = { ["uk"] = ["СТАРТ"], ["de"] = ["START UKRAINE"] },
                        JoinedTexts = { ["uk"] = "Ви в списку {list}." },
                    },
                },
            },
        },
    })).Find("1")!;

    private static InboundMessage Text(string text, string type = "text") => new($"wamid.{text.GetHashCode():x}", Now, type, text, "+4915112345678", "Erika");

    private static List<string> Confirmations(CitizenState state) =>
        [.. state.Outbound.Where(m => m.Kind == OutboundKind.ListConfirmation).Select(m => m.Text)];

    [Fact]
    public void A_join_keyword_joins_in_its_language_and_queues_the_confirmation_again_when_repeated()
    {
        var state = new CitizenState();

        Assert.Equal([("ukraine-info", ConsentAction.Joined)], KeywordConsent.Apply(state, Text("старт"), Policy, Now));
        Assert.Equal([("ukraine-info", ConsentAction.Joined)], KeywordConsent.Apply(state, Text("СТАРТ"), Policy, Now));

        var membership = Assert.Single(state.Memberships);
        Assert.Equal(("ukraine-info", "uk", Now), (membership.ListId, membership.Language, membership.Since));
        Assert.Equal(["Ви в списку Info Ukraine.", "Ви в списку Info Ukraine."], Confirmations(state));
    }

    [Fact]
    public void A_plain_stop_leaves_every_list_and_stop_from_someone_on_none_changes_nothing()
    {
        var state = new CitizenState();
        Assert.Empty(KeywordConsent.Apply(state, Text("STOP"), Policy, Now));
        Assert.Empty(state.Outbound);

        KeywordConsent.Apply(state, Text("START KITZ"), Policy, Now);
        KeywordConsent.Apply(state, Text("START UKRAINE"), Policy, Now);
        var left = KeywordConsent.Apply(state, Text("Stopp!"), Policy, Now.AddDays(1));

        Assert.Equal([("kitzrettung", ConsentAction.Left), ("ukraine-info", ConsentAction.Left)], left);
        Assert.Empty(state.Memberships);
        Assert.Equal(4, Confirmations(state).Count);
        Assert.Equal(ConsentChannel.Keyword, state.ConsentHistory[^1].Channel);
    }

    [Theory]
    [InlineData("Stop, da parkt einer!", "text")]
    [InlineData("START KITZ", "button")]
    public void A_sentence_or_a_non_text_message_is_no_command(string text, string type)
    {
        var state = new CitizenState();

        Assert.Empty(KeywordConsent.Apply(state, Text(text, type), Policy, Now));
        Assert.Empty(state.Memberships);
        Assert.Empty(state.Outbound);
    }
}
