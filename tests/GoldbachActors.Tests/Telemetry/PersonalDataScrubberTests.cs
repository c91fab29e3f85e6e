using GoldbachActors.Contracts.Privacy;
using GoldbachActors.ServiceDefaults.Privacy;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;

namespace GoldbachActors.Tests.Telemetry;

public sealed class PersonalDataScrubberTests
{
    private const string Tenant = "106540352242922";

    private static PersonalDataScrubber Scrubber(string key = "dGVzdC1yZWRhY3Rpb24ta2V5LTAxMjM0NTY3ODktMDEyMzQ1Njc4OQ==") =>
        new(new ServiceCollection()
            .AddRedaction(r => r.SetHmacRedactor(o =>
            {
                o.Key = key;
                o.KeyId = 1;
            }, GoldbachTaxonomy.PersonalIdentifier))
            .BuildServiceProvider()
            .GetRequiredService<IRedactorProvider>(), [Tenant]);

    [Theory]
    [InlineData("grain citizen/106540352242922/DE.7003068056953355150 activated", "DE.7003068056953355150")]
    [InlineData("wa_id 4915112345678 wrote", "4915112345678")]
    [InlineData("to +4915112345678.", "+4915112345678")]
    [InlineData("grain citizen/106540352242922/4791234567 activated", "4791234567")]
    [InlineData("Danish number +4532123456 wrote", "+4532123456")]
    [InlineData("short wa_id 12345 wrote", "12345")]
    [InlineData("Rufnummer +49 151 1234 5678 gespeichert", "+49 151 1234 5678")]
    [InlineData("path /staff/v1/media/106540352242922/US.13491208655302741918/wamid.x", "US.13491208655302741918")]
    public void Identifiers_become_a_keyed_hash(string text, string identifier)
    {
        var scrubbed = Scrubber().Scrub(text);

        Assert.DoesNotContain(identifier, scrubbed, StringComparison.Ordinal);
        Assert.Contains("#1:", scrubbed, StringComparison.Ordinal);
        Assert.Equal(scrubbed, Scrubber().Scrub(text)); // the same hash each time: entries stay correlatable
        Assert.NotEqual(scrubbed, Scrubber("b3RoZXIta2V5LWZvci1hbm90aGVyLWRlcGxveW1lbnQtMDEyMzQ1Njc4OTAxMg==").Scrub(text));
    }

    [Theory]
    [InlineData("POST /v25.0/106540352242922/messages")]
    [InlineData("Initializing silo at 127.0.0.1:11111:123456789")]
    [InlineData("batch of 1200 rows in 4096 bytes, stage -2147483648")]
    [InlineData("took 00:00:00.0122230 at 2026-11-29T17:05:12Z")]
    [InlineData("trace 4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("Keine Ziffern, nichts zu tun")]
    public void The_business_number_sizes_times_and_ids_stay_readable(string text)
    {
        Assert.Equal(text, Scrubber().Scrub(text));
    }

    [Fact]
    public void Values_are_scrubbed_by_their_text_and_plain_numbers_stay()
    {
        var scrubber = Scrubber();
        Assert.Equal(42, scrubber.Scrub(42));
        Assert.Equal(999_999L, scrubber.Scrub(999_999L));
        Assert.DoesNotContain("4791234567", (string)scrubber.Scrub(4791234567L)!, StringComparison.Ordinal);
        Assert.DoesNotContain("4915112345678", (string)scrubber.Scrub(4915112345678L)!, StringComparison.Ordinal);
        Assert.DoesNotContain("DE.7003068056953355150", (string)scrubber.Scrub(new Uri("http://x/DE.7003068056953355150"))!, StringComparison.Ordinal);
        Assert.Null(scrubber.Scrub((object?)null));
    }
}
