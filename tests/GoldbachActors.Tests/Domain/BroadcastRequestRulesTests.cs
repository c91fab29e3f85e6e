using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

/// <summary>What a broadcast must be before it starts, without a cluster.</summary>
public sealed class BroadcastRequestRulesTests
{
    private static readonly TenantPolicy Policy = new TenantPolicies(ConfiguredTenants.Cache(new GoldbachOptions
    {
        Tenants = { ["1"] = new TenantOptions { Lists = { ["ukraine-info"] = new BroadcastListOptions { Name = "Info Ukraine", Languages = ["uk", "de"] } } } },
    })).Find("1")!;

    private static BroadcastContent Texts(params (string Language, string Text)[] texts) =>
        new(texts.ToImmutableDictionary(t => t.Language, t => t.Text), null, []);

    private static BroadcastContent Template(string name, string category = "utility", params string[] parameters) =>
        new(ImmutableDictionary<string, string>.Empty, name, [.. parameters], category);

    private static BroadcastRequest Request(BroadcastContent content, string title = "Sirenentest", string list = "ukraine-info", string staff = "chefin") =>
        new(list, title, content, staff);

    [Fact]
    public void Texts_in_the_lists_languages_or_an_approved_template_may_go()
    {
        BroadcastRequestRules.Validate(Request(Texts(("uk", "Тест сирен у суботу"), ("de", "Sirenentest am Samstag"))), Policy);
        BroadcastRequestRules.Validate(Request(Template("sirenentest_2026", "marketing", "Samstag", "11:00"), title: new string('T', BroadcastRequestRules.MaxTitleLength)), Policy);
    }

    public static TheoryData<BroadcastRequest, string> Refused => new()
    {
        { Request(Texts(("de", "x")), list: "kitzrettung"), "'kitzrettung' is not a list" },
        { Request(Texts(("de", "x")), title: " "), "title of 1 to 200" },
        { Request(Texts(("de", "x")), title: new string('T', 201)), "title of 1 to 200" },
        { Request(Texts(("de", "x")), staff: ""), "names the staff member" },
        { Request(Texts()), "at least one language" },
        { Request(Texts(("en", "Siren test"))), "has no language 'en' (it has uk, de)" },
        { Request(Texts(("de", new string('x', 4097)))), "The text in 'de' has 1 to 4096" },
        { Request(new BroadcastContent(ImmutableDictionary<string, string>.Empty.Add("de", "x"), "sirenentest", [])), "either texts or a template" },
        { Request(Template("Sirenentest")), "lower-case letters" },
        { Request(Template("sirenentest", "utility", "")), "at most 20 parameters" },
        { Request(Template("sirenentest", "authentication")), "'utility' or 'marketing'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Anything_else_is_refused_with_its_reason(BroadcastRequest request, string reason)
    {
        var refused = Assert.Throws<ArgumentException>(() => BroadcastRequestRules.Validate(request, Policy));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }
}
