using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

public sealed class OfficeHoursTests
{
    private static readonly OfficeHours Goldbach = TownCalendar.Goldbach;

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0) => TownCalendar.Local(year, month, day, hour, minute);

    [Fact]
    public void A_saturday_message_is_answered_on_monday_morning_named_in_german()
    {
        var saturday = Local(2025, 5, 31, 10, 15);

        Assert.False(Goldbach.IsOpenAt(saturday));
        var next = Goldbach.NextOpeningAfter(saturday)!.Value;
        Assert.Equal(Local(2025, 6, 2, 8), next);
        Assert.Equal("Montag, 2. Juni ab 8:00 Uhr", AcknowledgementTexts.DescribeOpening(next, "de"));
    }

    [Theory]
    [InlineData(2025, 6, 2, 8, 0, true)]
    [InlineData(2025, 6, 2, 11, 59, true)]
    [InlineData(2025, 6, 2, 12, 0, false)]
    [InlineData(2025, 6, 2, 7, 59, false)]
    [InlineData(2025, 6, 5, 15, 0, true)]   // Thursday afternoon
    [InlineData(2025, 6, 3, 15, 0, false)]  // Tuesday afternoon
    public void Open_only_within_the_periods_of_the_day(int year, int month, int day, int hour, int minute, bool open)
    {
        Assert.Equal(open, Goldbach.IsOpenAt(Local(year, month, day, hour, minute)));
    }

    [Theory]
    [InlineData(2025, 6, 19)]  // Fronleichnam
    [InlineData(2025, 8, 15)]  // Mariä Himmelfahrt
    [InlineData(2025, 11, 1)]  // Allerheiligen (a Saturday, closed anyway)
    [InlineData(2025, 1, 6)]   // Heilige Drei Könige
    [InlineData(2025, 10, 3)]  // Tag der Deutschen Einheit
    [InlineData(2025, 12, 24)] // an extra closing day of the town
    public void Bavarian_holidays_and_extra_closing_days_are_no_working_days(int year, int month, int day)
    {
        Assert.False(Goldbach.IsWorkingDay(new DateOnly(year, month, day)));
        Assert.False(Goldbach.IsOpenAt(Local(year, month, day, 9)));
    }

    [Fact]
    public void After_a_holiday_the_next_opening_skips_it()
    {
        // Wednesday after closing → Thursday is Fronleichnam → Friday 8:00.
        Assert.Equal(Local(2025, 6, 20, 8), Goldbach.NextOpeningAfter(Local(2025, 6, 18, 13)));
        // Thursday morning break → the same afternoon.
        Assert.Equal(Local(2025, 6, 26, 14), Goldbach.NextOpeningAfter(Local(2025, 6, 26, 12, 30)));
    }

    [Fact]
    public void Daylight_saving_changes_keep_opening_at_eight_local_time()
    {
        var spring = Goldbach.NextOpeningAfter(Local(2026, 3, 28, 20))!.Value; // clocks go forward on Sunday 29 March
        var autumn = Goldbach.NextOpeningAfter(Local(2026, 10, 24, 20))!.Value; // and back on Sunday 25 October

        Assert.Equal(new DateTimeOffset(2026, 3, 30, 6, 0, 0, TimeSpan.Zero), spring.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 7, 0, 0, TimeSpan.Zero), autumn.ToUniversalTime());
    }

    [Fact]
    public void A_town_hall_without_office_periods_never_opens()
    {
        var closed = new OfficeHours(OfficeHours.ParseWeek(new Dictionary<string, string>()), [], OfficeHours.Berlin);
        Assert.Null(closed.NextOpeningAfter(Local(2025, 6, 2, 9)));
    }

    [Theory]
    [InlineData("Someday", "08:00-12:00")]
    [InlineData("Monday", "8-12")]
    [InlineData("Monday", "12:00-08:00")]
    [InlineData("Monday", "08:00-25:00")]
    public void A_wrong_schedule_is_refused_with_what_is_wrong(string day, string periods)
    {
        var error = Assert.Throws<FormatException>(() => OfficeHours.ParseWeek(new Dictionary<string, string> { [day] = periods }));
        Assert.Contains(day == "Someday" ? "Someday" : periods, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Saturday 10:15 to Monday 09:30: only Monday 08:00-09:30 counts.
    [InlineData(2025, 5, 31, 10, 15, 2025, 6, 2, 9, 30, 90)]
    // Thursday 11:00 to 15:00: 11-12 and 14-15.
    [InlineData(2025, 6, 5, 11, 0, 2025, 6, 5, 15, 0, 120)]
    // Over Whit Monday (9 June 2025, a Bavarian holiday): Friday 11:00 to Tuesday 08:30 = 60 + 30 minutes.
    [InlineData(2025, 6, 6, 11, 0, 2025, 6, 10, 8, 30, 90)]
    // Over the night of the change to summer time (30 March 2025): Friday 11:00 to Monday 08:10.
    [InlineData(2025, 3, 28, 11, 0, 2025, 3, 31, 8, 10, 70)]
    public void Working_time_counts_office_hours_only(int y1, int m1, int d1, int h1, int min1, int y2, int m2, int d2, int h2, int min2, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), Goldbach.WorkingTimeBetween(Local(y1, m1, d1, h1, min1), Local(y2, m2, d2, h2, min2)));
    }

    [Fact]
    public void Working_time_of_an_empty_or_reversed_span_is_zero()
    {
        var monday = Local(2025, 6, 2, 9);
        Assert.Equal(TimeSpan.Zero, Goldbach.WorkingTimeBetween(monday, monday));
        Assert.Equal(TimeSpan.Zero, Goldbach.WorkingTimeBetween(monday, monday.AddHours(-1)));
    }
}

public sealed class AcknowledgementTextsTests
{
    private static readonly TenantOptions Tenant = new()
    {
        Name = "Markt Goldbach",
        AcknowledgementText = "Vielen Dank für Ihre Nachricht an den Markt Goldbach! Wir melden uns schnellstmöglich bei Ihnen zurück❤.",
        OutOfHoursAcknowledgementText = "Vielen Dank für Ihre Nachricht an den Markt Goldbach! Wir sind am {next} wieder für Sie da. In Notfällen wählen Sie 112 bzw. 110.",
        OfficeHours = new() { ["Monday"] = "08:00-12:00", ["Friday"] = "08:00-12:00" },
    };

    private static readonly OfficeHours Hours = new(OfficeHours.ParseWeek(Tenant.OfficeHours), [], OfficeHours.Berlin);

    [Fact]
    public void Out_of_hours_the_acknowledgement_names_the_next_opening()
    {
        var saturday = new DateTimeOffset(2025, 5, 31, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal(
            "Vielen Dank für Ihre Nachricht an den Markt Goldbach! Wir sind am Montag, 2. Juni ab 8:00 Uhr wieder für Sie da. In Notfällen wählen Sie 112 bzw. 110.",
            AcknowledgementTexts.Choose(Tenant, Hours, saturday));
    }

    [Fact]
    public void During_office_hours_or_without_a_schedule_the_usual_acknowledgement_is_sent()
    {
        var mondayMorning = new DateTimeOffset(2025, 6, 2, 7, 30, 0, TimeSpan.Zero); // 9:30 in Goldbach

        Assert.Equal(Tenant.AcknowledgementText, AcknowledgementTexts.Choose(Tenant, Hours, mondayMorning));
        Assert.Equal(Tenant.AcknowledgementText, AcknowledgementTexts.Choose(Tenant, null, new DateTimeOffset(2025, 5, 31, 8, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_first_message_that_reports_danger_is_told_to_call_112_or_110_in_hours_too_in_each_language()
    {
        var mondayMorning = new DateTimeOffset(2025, 6, 2, 7, 30, 0, TimeSpan.Zero); // 9:30 in Goldbach: office open
        var withTexts = new TenantOptions
        {
            Name = Tenant.Name,
            AcknowledgementText = Tenant.AcknowledgementText,
            UrgentAcknowledgementText = "Bei Gefahr sofort 112 oder 110 anrufen!",
            Languages = { ["en"] = new LocalizedAcknowledgement { AcknowledgementText = "Thanks!" }, ["uk"] = new LocalizedAcknowledgement { AcknowledgementText = "Дякуємо!", UrgentAcknowledgementText = "Небезпека: 112 або 110!" } },
        };
        var german = AcknowledgementTexts.Choose(Tenant, Hours, mondayMorning, urgent: true);
        Assert.Contains("sofort die 112 (Feuerwehr, Rettungsdienst) oder die 110 (Polizei)", german, StringComparison.Ordinal);
        Assert.DoesNotContain("schnellstmöglich", german, StringComparison.Ordinal);
        Assert.Equal("Bei Gefahr sofort 112 oder 110 anrufen!", AcknowledgementTexts.Choose(withTexts, Hours, mondayMorning, "de", urgent: true));
        Assert.Equal("Небезпека: 112 або 110!", AcknowledgementTexts.Choose(withTexts, Hours, mondayMorning, "uk", urgent: true));
        // A configured language without its own urgent text gets the built-in one in that language.
        Assert.StartsWith("Thank you for your message! If anyone is in danger, call 112", AcknowledgementTexts.Choose(withTexts, Hours, mondayMorning, "en", urgent: true), StringComparison.Ordinal);
        // A language the tenant has no texts for gets the tenant's German text.
        Assert.Equal("Bei Gefahr sofort 112 oder 110 anrufen!", AcknowledgementTexts.Choose(withTexts, Hours, mondayMorning, "fr", urgent: true));
    }

    [Fact]
    public void A_schedule_that_does_not_parse_is_refused_at_start_naming_the_tenant()
    {
        var options = new GoldbachOptions
        {
            Tenants = { ["106540352242922"] = new TenantOptions { Name = "x", AcknowledgementText = "y", OfficeHours = new() { ["Montag"] = "08:00-12:00" } } },
        };

        var result = new TenantPolicyValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Goldbach:Tenants:106540352242922:OfficeHours", result.FailureMessage, StringComparison.Ordinal);
    }
}

public sealed class TenantPolicyTests
{
    private static TenantOptions Valid() => new() { Name = "Markt Goldbach", AcknowledgementText = "Danke" };

    [Fact]
    public void Wrong_staff_numbers_languages_categories_and_limits_are_refused_at_start_naming_the_value()
    {
        var tenant = new TenantOptions
        {
            Name = "Markt Goldbach",
            AcknowledgementText = "Danke",
            StaffNumbers = ["+49 9999", "nonsense"],
            Languages = { ["English"] = new() { AcknowledgementText = "" } },
            Categories = { ["Spielplatz"] = ["schaukel", " "] },
            FloodLimit = new() { Burst = 0, Every = TimeSpan.FromSeconds(1) },
        };
        var result = new TenantPolicyValidator().Validate(null, new GoldbachOptions { Tenants = { ["106540352242922"] = tenant } });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Goldbach:Tenants:106540352242922:StaffNumbers:0:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Goldbach:Tenants:106540352242922:StaffNumbers:1:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Languages:English: „English“ ist kein Sprachkürzel", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Languages:English:AcknowledgementText: Pflichtfeld", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Categories:Spielplatz: Ein Stichwort ist leer", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("FloodLimit:Burst: Erlaubt ist 1 bis 10000", StringComparison.Ordinal));
        // Validation messages go to logs: a staff number is never repeated whole.
        Assert.DoesNotContain(failures, f => f.Contains("9999", StringComparison.Ordinal) && f.Contains("+49", StringComparison.Ordinal));
    }

    [Fact]
    public void Staff_numbers_match_as_WhatsApp_sends_them_and_configured_categories_replace_the_defaults()
    {
        var tenant = Valid();
        tenant.StaffNumbers.AddRange(["+49 9563 1234-56", "DE.staffuser1"]);
        tenant.Categories["Kitzrettung"] = ["kitz", "rehkitz", "mahd"];
        var policy = new TenantPolicies(ConfiguredTenants.Cache(new GoldbachOptions { Tenants = { ["1"] = tenant } })).Find("1")!;

        Assert.True(policy.IsStaff(CitizenKey.Create("1", "DE.other1"), "+49956312345" + "6"));
        Assert.True(policy.IsStaff(CitizenKey.Create("1", "DE.staffuser1"), null));
        Assert.False(policy.IsStaff(CitizenKey.Create("1", "DE.other1"), "+4915112345678"));
        Assert.Equal(["Kitzrettung", "Sonstiges"], policy.Categories);
        Assert.Equal("Kitzrettung", policy.Triage.Assess("Morgen wird gemäht, bitte Kitze suchen").Category);
    }

    [Fact]
    public void The_acknowledgement_is_in_the_citizens_language_and_names_the_opening_in_it()
    {
        var tenant = new TenantOptions
        {
            Name = "Markt Goldbach",
            AcknowledgementText = "Danke",
            OutOfHoursAcknowledgementText = "Wir sind am {next} wieder da.",
            Languages =
            {
                ["en"] = new() { AcknowledgementText = "Thank you", OutOfHoursAcknowledgementText = "Back on {next}." },
                ["uk"] = new() { AcknowledgementText = "Дякуємо", OutOfHoursAcknowledgementText = "Ми знову на зв'язку {next}." },
            },
        };
        var hours = new OfficeHours(OfficeHours.ParseWeek(new Dictionary<string, string> { ["Monday"] = "08:00-12:00" }), [], OfficeHours.Berlin);
        var saturday = new DateTimeOffset(2025, 5, 31, 10, 0, 0, TimeSpan.Zero);
        var monday = new DateTimeOffset(2025, 6, 2, 7, 0, 0, TimeSpan.Zero);

        Assert.Equal("Back on Monday, 2 June from 8:00.", AcknowledgementTexts.Choose(tenant, hours, saturday, "en"));
        Assert.Equal("Ми знову на зв'язку понеділок, 2 червня з 8:00.", AcknowledgementTexts.Choose(tenant, hours, saturday, "uk"));
        Assert.Equal("Wir sind am Montag, 2. Juni ab 8:00 Uhr wieder da.", AcknowledgementTexts.Choose(tenant, hours, saturday, "fr"));
        Assert.Equal("Thank you", AcknowledgementTexts.Choose(tenant, hours, monday, "en"));
    }
}
