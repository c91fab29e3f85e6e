using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

public sealed class ConsentKeywordsTests
{
    private static readonly ConsentKeywords Keywords = new(new Dictionary<string, BroadcastListOptions>
    {
        ["kitzrettung"] = new() { Name = "Kitzrettung", Keywords = { ["de"] = ["START KITZ"], ["en"] = ["START FAWN"] } },
        ["ukraine-info"] = new() { Name = "Info Ukraine", Keywords = { ["uk"] = ["СТАРТ"], ["de"] = ["START UKRAINE"], ["en"] = ["START INFO"] } },
    });

    [Theory]
    [InlineData("START KITZ", "kitzrettung", "de")]
    [InlineData("  start   kitz! ", "kitzrettung", "de")]
    [InlineData("Start fawn", "kitzrettung", "en")]
    [InlineData("старт", "ukraine-info", "uk")]
    [InlineData("Старт.", "ukraine-info", "uk")]
    [InlineData("start info", "ukraine-info", "en")]
    public void A_join_keyword_names_the_list_and_the_language(string text, string list, string language)
    {
        Assert.Equal(new ConsentCommand(ConsentCommandKind.Join, list, language), Keywords.Recognize(text));
    }

    [Theory]
    [InlineData("STOP", null, null)]
    [InlineData("stopp", null, "de")]
    [InlineData("Unsubscribe", null, "en")]
    [InlineData("стоп", null, "uk")]
    [InlineData("STOP KITZ", "kitzrettung", "de")]
    [InlineData("stop fawn", "kitzrettung", "en")]
    [InlineData("СТОП СТАРТ", "ukraine-info", "uk")]
    public void Stop_leaves_all_lists_or_the_one_named(string text, string? list, string? language)
    {
        Assert.Equal(new ConsentCommand(ConsentCommandKind.Stop, list, language), Keywords.Recognize(text));
    }

    [Theory]
    [InlineData("Stop, da parkt einer in der Einfahrt!")]
    [InlineData("Ich möchte START KITZ bitte")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("START")]
    public void Anything_else_is_no_command(string? text)
    {
        Assert.Equal(ConsentCommand.None, Keywords.Recognize(text));
    }

    [Fact]
    public void A_keyword_used_twice_or_a_stop_word_as_keyword_is_refused_at_start()
    {
        Assert.Throws<ArgumentException>(() => new ConsentKeywords(new Dictionary<string, BroadcastListOptions>
        {
            ["a"] = new() { Name = "A", Keywords = { ["de"] = ["START"] } },
            ["b"] = new() { Name = "B", Keywords = { ["de"] = ["start!"] } },
        }));
        Assert.Throws<ArgumentException>(() => new ConsentKeywords(new Dictionary<string, BroadcastListOptions>
        {
            ["a"] = new() { Name = "A", Keywords = { ["de"] = ["Stop"] } },
        }));
    }
}

public sealed class MessagingLimitWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_tier_caps_unique_recipients_in_24_hours_and_a_repeat_costs_nothing()
    {
        var window = new MessagingLimitWindow(2);
        Assert.Null(window.TryReach("a", T0));
        Assert.Null(window.TryReach("b", T0.AddHours(1)));
        Assert.Null(window.TryReach("a", T0.AddHours(2)));
        Assert.Equal(T0.AddHours(24), window.TryReach("c", T0.AddHours(3)));
        Assert.Null(window.TryReach("c", T0.AddHours(24)));
        Assert.Equal(2, window.Used(T0.AddHours(24)));
    }

    [Fact]
    public void Unlimited_takes_everyone()
    {
        var window = new MessagingLimitWindow(null);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Null(window.TryReach($"r{i}", T0));
        }
    }

    [Fact]
    public void A_broadcast_larger_than_the_tier_is_spread_over_the_following_days()
    {
        var window = new MessagingLimitWindow(250);
        for (var i = 0; i < 100; i++)
        {
            window.TryReach($"earlier{i}", T0);
        }
        var plan = window.Plan(600, T0.AddHours(1));
        Assert.Equal([(T0.AddHours(1), 150), (T0.AddHours(25), 250), (T0.AddHours(49), 200)], plan);
        Assert.Equal(600, plan.Sum(p => p.Count));
    }
}
