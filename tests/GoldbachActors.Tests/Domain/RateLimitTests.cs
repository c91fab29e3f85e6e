using CsCheck;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

public sealed class RateLimitTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitOptions MetaPace = new() { Burst = 4, Every = TimeSpan.FromSeconds(6) };

    [Fact]
    public void A_bucket_allows_a_burst_then_one_message_per_interval()
    {
        var bucket = TokenBucket.Full(MetaPace, T0);
        var taken = 0;
        for (var i = 0; i < 10; i++)
        {
            bucket = bucket.Take(MetaPace, T0, out var ok);
            taken += ok ? 1 : 0;
        }
        Assert.Equal(4, taken);
        Assert.Equal(TimeSpan.FromSeconds(6), bucket.WaitTime(MetaPace, T0));
        Assert.Equal(TimeSpan.FromSeconds(3), bucket.WaitTime(MetaPace, T0.AddSeconds(3)));

        bucket.Take(MetaPace, T0.AddSeconds(6), out var afterInterval);
        Assert.True(afterInterval);
    }

    [Fact]
    public void Over_any_sequence_of_attempts_no_window_gets_more_than_the_burst_plus_the_refill()
    {
        Gen.Int[0, 20_000].Array[1, 200].Sample(gapsMs =>
        {
            var bucket = TokenBucket.Full(MetaPace, T0);
            var now = T0;
            var sent = new List<DateTimeOffset>();
            foreach (var gap in gapsMs)
            {
                now += TimeSpan.FromMilliseconds(gap);
                bucket = bucket.Take(MetaPace, now, out var ok);
                if (ok)
                {
                    sent.Add(now);
                }
            }
            // Meta's rule of thumb: on average one message every 6 seconds, short bursts allowed.
            foreach (var start in sent)
            {
                var window = TimeSpan.FromMinutes(1);
                var inWindow = sent.Count(t => t >= start && t < start + window);
                Assert.True(inWindow <= MetaPace.Burst + (window / MetaPace.Every), $"{inWindow} messages in one minute");
            }
        }, iter: 500);
    }

    [Fact]
    public void A_flood_is_flagged_once_and_the_flag_is_an_attributed_event()
    {
        var limit = new RateLimitOptions { Burst = 3, Every = TimeSpan.FromMinutes(1) };
        var state = new CitizenState();
        var allowed = Enumerable.Range(0, 6).Select(i => state.TakeInboundToken(limit, T0.AddSeconds(i))).ToList();

        Assert.Equal([true, true, true, false, false, false], allowed);
        Assert.True(state.Flooding);
        Assert.Single(state.Events, e => e.Kind == GoldbachActors.Contracts.ConversationEventKind.FloodFlagged);
        Assert.True(state.TakeInboundToken(limit, T0.AddMinutes(2)));
    }

    [Theory]
    [InlineData("Die Schaukel auf dem Spielplatz ist kaputt", "de")]
    [InlineData("Wann hat das Rathaus geöffnet?", "de")]
    [InlineData("Hello, the swing on the playground is broken. Can you help?", "en")]
    [InlineData("Доброго дня! Коли відбудеться інформаційний вечір?", "uk")]
    [InlineData("Здравствуйте, когда будет информационный вечер? Мы ждём", "ru")]
    [InlineData("ok", null)]
    [InlineData("👍", null)]
    [InlineData("Parkplatz Hauptstraße 5", "de")]
    [InlineData("Sirene Test", null)]
    public void The_language_is_named_only_when_it_is_clear(string text, string? expected) =>
        Assert.Equal(expected, CitizenLanguage.Detect(text));
}
