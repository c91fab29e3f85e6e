using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

/// <summary>The one set of rules for a tenant's settings (start-up and every save), without a cluster.</summary>
public sealed class TenantSettingsRulesTests
{
    private static TenantOptions Valid() => new()
    {
        Name = "Markt Goldbach",
        AcknowledgementText = "Danke",
        OfficeHours = { ["Monday"] = "08:00-12:00, 14:00-18:00", ["Friday"] = "08:00-12:00" },
        ClosedDays = [new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 31)],
        Lists = { ["kitzrettung"] = new BroadcastListOptions { Name = "Kitzrettung", Keywords = { ["de"] = ["START KITZ"] } } },
    };

    [Fact]
    public void Split_shifts_closing_days_and_a_list_pass_and_survive_the_document_round_trip()
    {
        var settings = Valid();
        Assert.Empty(TenantSettingsRules.Validate(settings));

        var again = TenantSettingsDocument.Deserialize(TenantSettingsDocument.Serialize(settings));
        Assert.Equal(TenantSettingsDocument.Serialize(settings), TenantSettingsDocument.Serialize(again));
        Assert.Equal("08:00-12:00, 14:00-18:00", again.OfficeHours["Monday"]);
        Assert.Equal(TimeSpan.FromSeconds(30), again.FloodLimit.Every);
        Assert.Equal("START KITZ", again.Lists["kitzrettung"].Keywords["de"][0]);
    }

    [Fact]
    public void Each_wrong_field_is_named_by_its_path_with_a_German_message()
    {
        var settings = Valid();
        settings.OfficeHours["Friday"] = "12:00-08:00";
        settings.OfficeHours["Montag"] = "08:00-12:00";
        settings.ClosedDays.Add(new DateOnly(2026, 12, 24));
        settings.Lists["Bad Id"] = new BroadcastListOptions { Name = "x", Keywords = { ["de"] = ["STOP"] } };
        settings.Departments["bauhof"] = new DepartmentOptions { Name = "Bauhof", Email = "bauhof at goldbach" };
        settings.Services["spielplatz"] = new ServiceOptions { Name = "Spielplatz", Department = "gartenamt" };

        var errors = TenantSettingsRules.Validate(settings).ToDictionary(e => e.Field, e => e.Message);

        Assert.Contains("„12:00-08:00“ ist keine Zeitspanne", errors["OfficeHours:Friday"], StringComparison.Ordinal);
        Assert.Contains("kein Wochentag", errors["OfficeHours:Montag"], StringComparison.Ordinal);
        Assert.Contains("24.12.2026", errors["ClosedDays"], StringComparison.Ordinal);
        Assert.Contains("Listenkennung", errors["Lists:Bad Id"], StringComparison.Ordinal);
        Assert.Contains("Abmeldewort", errors["Lists:Bad Id:Keywords:de"], StringComparison.Ordinal);
        Assert.Contains("„gartenamt“ gibt es nicht (Abteilungen: bauhof)", errors["Services:spielplatz:Department"], StringComparison.Ordinal);
        Assert.Contains("keine Mailadresse", errors["Departments:bauhof:Email"], StringComparison.Ordinal);
        Assert.DoesNotContain("OfficeHours:Monday", errors.Keys);
    }

    [Fact]
    public void A_document_with_an_unknown_setting_or_broken_JSON_is_refused_with_a_reason()
    {
        Assert.Contains("Acknowledgment", Assert.Throws<FormatException>(() => TenantSettingsDocument.Deserialize("{\"Acknowledgment\":\"x\"}")).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TenantSettingsDocument.Deserialize("{\"ClosedDays\":[\"24.12.2026\"]}"));
        Assert.Throws<FormatException>(() => TenantSettingsDocument.Deserialize("{"));
    }
}
