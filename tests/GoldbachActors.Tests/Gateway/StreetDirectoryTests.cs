using GoldbachActors.Gateway.Staff;

namespace GoldbachActors.Tests.Gateway;

/// <summary>The town's street list: read from its CSV, matched however staff write the street (pure logic; the file through the API is in ServiceRequestTests).</summary>
public sealed class StreetDirectoryTests
{
    private static readonly StreetDirectory Streets = StreetDirectory.Parse(
    [
        "# Demo",
        "Straße;Hausnummer;Breite;Länge",
        "Aschaffenburger Straße;5;50,0085;9,1700",
        "Aschaffenburger Straße;5a;50.00852;9.17003",
        "Am Sportplatz;2;49.9990;9.1905",
        "Ringstraße;4;50.0012;9.1850",
    ]);

    [Theory]
    [InlineData("Aschaffenburger Straße 5", "Aschaffenburger Straße 5", 50.0085)]
    [InlineData("aschaffenburger str. 5", "Aschaffenburger Straße 5", 50.0085)]
    [InlineData("Aschaffenburger Strasse 5 A, 63773 Goldbach", "Aschaffenburger Straße 5a", 50.00852)]
    [InlineData("am sportplatz 2", "Am Sportplatz 2", 49.9990)]
    [InlineData("Ringstr 4", "Ringstraße 4", 50.0012)]
    public void A_typed_address_matches_however_the_street_is_written(string typed, string address, double latitude)
    {
        var match = Streets.Find(typed);
        Assert.Equal((address, latitude), (match.Address?.Text, match.Address?.Latitude));
    }

    [Fact]
    public void No_match_suggests_the_street_s_numbers_or_similar_streets()
    {
        Assert.Equal(["Aschaffenburger Straße 5", "Aschaffenburger Straße 5a"], Streets.Find("Aschaffenburger Str. 7").Suggestions);
        Assert.Equal(["Aschaffenburger Straße"], Streets.Find("Aschaffenburg 3").Suggestions);
        Assert.Null(Streets.Find("Ringstraße").Address);
        Assert.Empty(Streets.Find("Hauptstraße 1").Suggestions);
        Assert.Equal(4, Streets.Count);
    }

    [Theory]
    [InlineData("Ringstraße;4;50.0012", "Zeile 1")]
    [InlineData("Ringstraße;4;50.0012;9.18\nRingstraße;5;Nord;9.18", "Zeile 2")]
    [InlineData("Ringstraße;4;95.0;9.18\nRingstraße;5;50;9.18\nRingstraße;6;50;9.18\nx;1;200;1", "Zeile 4")]
    public void A_line_that_is_not_street_number_latitude_longitude_is_refused_with_its_number(string text, string line)
    {
        var error = Assert.Throws<FormatException>(() => StreetDirectory.Parse(text.Split('\n')));
        Assert.Contains(line, error.Message, StringComparison.Ordinal);
    }
}
