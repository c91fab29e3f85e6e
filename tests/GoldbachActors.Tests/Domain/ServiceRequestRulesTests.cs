using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

public sealed class ServiceRequestRulesTests
{
    private static readonly OfficeHours Goldbach = TownCalendar.Goldbach;

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0) => TownCalendar.Local(year, month, day, hour, minute);

    // A citizen's playground request as staff made it from the conversation (Erika's words, her number, her place).
    private static ServiceRequest Erikas(string id) => new()
    {
        Id = id,
        Tenant = "t",
        ServiceCode = "spielplatz",
        Description = "Erika, 0151 12345678: Schaukel kaputt",
        PublicDescription = "[entfernt], [entfernt]: Schaukel kaputt",
        Department = "bauhof",
        CreatedBy = "s",
        CitizenKey = "t/491511234",
        Place = new RequestPlace(50.0013472, 9.1854719, "Ringstraße 4", RequestPlaceSource.SharedLocation, true),
    };

    [Theory]
    // Saturday, 0 days: Monday's close; Friday, 1 day: Monday's; Wednesday, 1 day: Thursday's afternoon close.
    [InlineData("2026-12-05T10:00", 0, "2026-12-07T12:00")]
    [InlineData("2026-12-04T09:00", 1, "2026-12-07T12:00")]
    [InlineData("2026-12-02T09:00", 1, "2026-12-03T18:00")]
    // Over Christmas: the 24th (closing day), the 25th and 26th (holidays), the weekend and the 31st do not count.
    [InlineData("2026-12-23T09:00", 1, "2026-12-28T12:00")]
    [InlineData("2026-12-23T09:00", 4, "2027-01-04T12:00")]
    // Over Epiphany (a Bavarian holiday on Wednesday 6 January 2027).
    [InlineData("2027-01-05T09:00", 1, "2027-01-07T18:00")]
    public void The_expected_date_counts_the_town_s_working_days(string requested, int days, string expected)
    {
        var at = DateTime.Parse(requested, System.Globalization.CultureInfo.InvariantCulture);
        var due = ServiceRequestRules.ExpectedAt(Goldbach, new ServiceOptions { TurnaroundWorkingDays = days }, Local(at.Year, at.Month, at.Day, at.Hour, at.Minute));
        var want = DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Local(want.Year, want.Month, want.Day, want.Hour, want.Minute), due);
    }

    [Theory]
    [InlineData("Bitte rufen Sie mich an: 0151 12345678.", "Bitte rufen Sie mich an: [entfernt].")]
    [InlineData("Tel. +49 (9563) 1234-56 oder 09563/123456", "Tel. [entfernt] oder [entfernt]")]
    [InlineData("Mail an erika.muster@example.org bitte", "Mail an [entfernt] bitte")]
    [InlineData("Foto unter https://example.org/x.jpg", "Foto unter [entfernt]")]
    [InlineData("Herr Maier und Frau Schmidt-Lang haben es gesehen", "Herr [entfernt] und Frau [entfernt] haben es gesehen")]
    [InlineData("Erika hat angerufen, gez. Mustermann", "[entfernt] hat angerufen, gez. [entfernt]")]
    // What the work needs stays: a house number, a postcode, times, dates.
    [InlineData("Hauptstraße 12, 63773 Goldbach, heute 12 - 14 Uhr, am 07.12.2026", "Hauptstraße 12, 63773 Goldbach, heute 12 - 14 Uhr, am 07.12.2026")]
    public void The_public_text_has_no_numbers_addresses_or_names(string description, string expected) =>
        Assert.Equal(expected, ServiceRequestRules.PublicText(description, ["Erika Mustermann"]));

    [Fact]
    public void A_private_place_is_rounded_and_loses_its_address_in_public()
    {
        var home = new RequestPlace(50.0013472, 9.1854719, "Ringstraße 4", RequestPlaceSource.SharedLocation, Private: true);
        Assert.Equal(home with { Latitude = 50.001, Longitude = 9.185, Address = null }, home.PublicView());
        var damage = home with { Private = false };
        Assert.Equal(damage, damage.PublicView());
    }

    [Fact]
    public void Numbers_count_up_within_a_year_and_start_again_in_the_next()
    {
        Assert.Equal("2026-0001", ServiceRequestRules.NextId([], Local(2026, 1, 2, 9)));
        Assert.Equal("2026-0043", ServiceRequestRules.NextId(["2025-0107", "2026-0042", "2026-0007"], Local(2026, 12, 7, 9)));
        Assert.Equal("2027-0001", ServiceRequestRules.NextId(["2026-0042"], Local(2027, 1, 4, 9)));
    }

    [Fact]
    public void Unknown_services_empty_texts_and_places_off_the_globe_are_refused()
    {
        var tenant = new TenantOptions();
        NewServiceRequest New(string code, string text, RequestPlace? place = null) => new(code, text, place, [], null, "staff-1", null);

        Assert.Equal("bauhof", ServiceRequestRules.Validate(tenant, New("spielplatz", "Schaukel kaputt")).Department);
        Assert.Throws<ArgumentException>(() => ServiceRequestRules.Validate(tenant, New("schwimmbad", "Wasser kalt")));
        Assert.Throws<ArgumentException>(() => ServiceRequestRules.Validate(tenant, New("spielplatz", " ")));
        Assert.Throws<ArgumentException>(() => ServiceRequestRules.Validate(tenant, New("spielplatz", new string('x', ServiceRequestRules.MaxDescriptionLength + 1))));
        Assert.Throws<ArgumentException>(() => ServiceRequestRules.Validate(tenant, New("spielplatz", "Schaukel", new RequestPlace(91, 9, null, RequestPlaceSource.Open311, false))));
        // A tenant's own list replaces the town's.
        var own = new TenantOptions { Services = { ["winterdienst"] = new ServiceOptions { Name = "Winterdienst", Department = "bauhof" } } };
        Assert.Throws<ArgumentException>(() => ServiceRequestRules.Validate(own, New("spielplatz", "Schaukel kaputt")));
        Assert.Equal("winterdienst", ServiceCatalog.ServiceFor(new TenantOptions { Services = { ["winterdienst"] = new ServiceOptions { Category = "Glätte" } } }, "Glätte"));
        Assert.Equal("spielplatz", ServiceCatalog.ServiceFor(tenant, "Spielplatz"));
        Assert.Null(ServiceCatalog.ServiceFor(tenant, "Öffnungszeiten"));
    }

    [Fact]
    public void Overdue_means_past_the_expected_date_and_not_closed()
    {
        var request = Erikas("2026-0001") with { RequestedAt = Local(2026, 12, 1, 9), ExpectedAt = Local(2026, 12, 3, 12) };
        var overdue = new ServiceRequestFilter { Overdue = true };
        Assert.False(ServiceRequestRules.Matches(request, overdue, Local(2026, 12, 3, 11)));
        Assert.True(ServiceRequestRules.Matches(request, overdue, Local(2026, 12, 3, 13)));
        Assert.False(ServiceRequestRules.Matches(request with { Status = ServiceRequestStatus.Done }, overdue, Local(2026, 12, 3, 13)));
        Assert.False(ServiceRequestRules.Matches(request, new ServiceRequestFilter { ServiceCodes = ["laerm"] }, Local(2026, 12, 3, 13)));
        Assert.True(ServiceRequestRules.Matches(request, new ServiceRequestFilter { Statuses = [ServiceRequestStatus.Received], Department = "bauhof" }, Local(2026, 12, 3, 13)));
    }

    [Fact]
    public void The_outcome_is_worded_in_the_citizen_s_language_with_german_as_the_fallback_and_only_for_done_or_rejected()
    {
        var tenant = new TenantOptions
        {
            RequestNotices =
            {
                ["uk"] = new RequestNoticeOptions { DoneText = "Ваше звернення {id} виконано." },
                ["de"] = new RequestNoticeOptions { RejectedTemplate = new WindowTemplateOptions { Name = "anliegen_abgelehnt", BodyParameters = ["{id}"] } },
            },
        };
        var done = new RequestStatusNotice("2026-0042", "Spielplatz beschädigt", ServiceRequestStatus.Done, null);
        Assert.Equal(("Ваше звернення 2026-0042 виконано.", null), ServiceRequestRules.Notice(tenant, "uk", done));
        Assert.Equal("Ihr Anliegen 2026-0042 (Spielplatz beschädigt) wurde erledigt. Vielen Dank für Ihre Meldung!", ServiceRequestRules.Notice(tenant, "en", done)!.Value.Text);
        var rejected = ServiceRequestRules.Notice(tenant, null, done with { Status = ServiceRequestStatus.Rejected, Notes = "Privatgelände." })!.Value;
        Assert.Equal(("Ihr Anliegen 2026-0042 (Spielplatz beschädigt) können wir leider nicht umsetzen. Privatgelände.", "anliegen_abgelehnt"), (rejected.Text, rejected.Template!.Name));
        Assert.Null(ServiceRequestRules.Notice(tenant, "de", done with { Status = ServiceRequestStatus.InProgress }));
    }

    [Fact]
    public void A_citizen_is_told_each_outcome_once_as_text_in_the_window_and_as_the_template_outside_it()
    {
        var now = Local(2026, 12, 7, 10);
        var state = new GoldbachActors.Grains.Citizens.CitizenState { LastInboundAt = now.AddHours(-21) };
        Assert.True(state.QueueRequestNotice("2026-0042:Done", "erledigt", new GoldbachActors.Grains.Citizens.OutboundTemplate("anliegen_erledigt", "de", ["2026-0042"]), now));
        Assert.False(state.QueueRequestNotice("2026-0042:Done", "erledigt", null, now));
        var inWindow = Assert.Single(state.Outbound);
        Assert.Equal((OutboundKind.RequestStatus, "erledigt", null, false), (inWindow.Kind, inWindow.Text, inWindow.TemplateName, inWindow.IsTemplate));

        var later = now.AddDays(2);
        Assert.True(state.QueueRequestNotice("2026-0043:Rejected", "abgelehnt", new GoldbachActors.Grains.Citizens.OutboundTemplate("anliegen_abgelehnt", "de", ["2026-0043"]), later));
        var outside = state.Outbound[^1];
        Assert.Equal(("anliegen_abgelehnt", true, DeliveryState.Queued), (outside.TemplateName, outside.IsTemplate, outside.State));
        // Without a template the text waits for the citizen's next message.
        Assert.True(state.QueueRequestNotice("2026-0044:Done", "erledigt", null, later));
        Assert.Equal(DeliveryState.WaitingForWindow, state.Outbound[^1].State);
    }

    [Fact]
    public void The_erasure_keeps_the_request_without_the_citizen_their_words_or_their_photos()
    {
        var request = Erikas("2026-0001") with
        {
            Contact = "Erika",
            Photos = [new RequestPhoto("wamid.1", "t/x/wamid.1", "image/jpeg", true)],
            Version = 3,
        };
        var kept = ServiceRequestRules.Anonymise(request, Local(2026, 12, 7, 9));
        Assert.Equal((null, null, request.PublicDescription, true, 4L), (kept.CitizenKey, kept.Contact, kept.Description, kept.Anonymised, kept.Version));
        Assert.Empty(kept.Photos);
        Assert.Equal(request.Place!.PublicView(), kept.Place);
    }

    [Fact]
    public void The_department_s_mail_carries_the_work_and_the_link_but_not_the_citizen_s_words_contact_or_link()
    {
        var request = Erikas("2026-0007") with
        {
            Contact = "erika@example.org",
            RequestedAt = Local(2026, 12, 23, 11),
            ExpectedAt = Local(2026, 12, 30, 16),
            Photos = [new RequestPhoto("wamid.1", "t/x/wamid.1", "image/jpeg", false)],
        };
        var (subject, body) = DepartmentMailText.For(request, "Spielplatz beschädigt", "Bauhof", "Markt Goldbach", new Uri("https://inbox.goldbach.example/"));
        Assert.Equal("Neues Anliegen 2026-0007: Spielplatz beschädigt (Bauhof)", subject);
        // The exact place (the department has to find the swing), in the town's time, and the link that needs a sign-in.
        Assert.Contains("Ringstraße 4 (50.001347, 9.185472)", body, StringComparison.Ordinal);
        Assert.Contains("Mittwoch, 23.12.2026, 11:00 Uhr", body, StringComparison.Ordinal);
        Assert.Contains("Mittwoch, 30.12.2026, 16:00 Uhr", body, StringComparison.Ordinal);
        Assert.Contains("1 im Posteingang", body, StringComparison.Ordinal);
        Assert.Contains("https://inbox.goldbach.example/#/anliegen/2026-0007", body, StringComparison.Ordinal);
        foreach (var personal in new[] { "Erika", "0151", "12345678", "example.org", "491511234" })
        {
            Assert.DoesNotContain(personal, body, StringComparison.OrdinalIgnoreCase);
        }
        var (_, withoutPlace) = DepartmentMailText.For(request with { Place = null, Photos = [] }, "Spielplatz", "Bauhof", "Markt Goldbach", null);
        Assert.Contains("noch nicht bekannt", withoutPlace, StringComparison.Ordinal);
        Assert.Contains("keine", withoutPlace, StringComparison.Ordinal);
        Assert.DoesNotContain("#/anliegen", withoutPlace, StringComparison.Ordinal);
    }

    [Fact]
    public void A_location_request_is_queued_once_inside_the_window_with_meta_s_text_limit()
    {
        var now = Local(2026, 12, 8, 10);
        var staff = new StaffActor("s-1", StaffRoles.Agent);
        var state = new GoldbachActors.Grains.Citizens.CitizenState { LastInboundAt = now.AddHours(-2) };
        var asked = state.QueueLocationRequest(new StaffLocationRequest("r-1", "Wo genau?", staff), now);
        Assert.Equal((OutboundKind.LocationRequest, "Wo genau?", false), (asked.Kind, asked.Text, asked.IsTemplate));
        Assert.Equal(asked.Id, state.QueueLocationRequest(new StaffLocationRequest("r-1", "Wo genau?", staff), now).Id);
        Assert.Single(state.Outbound);
        Assert.Throws<ArgumentException>(() => state.QueueLocationRequest(new StaffLocationRequest("r-2", new string('x', 1025), staff), now));
        Assert.Throws<ArgumentException>(() => state.QueueLocationRequest(new StaffLocationRequest("r-3", " ", staff), now));
        Assert.Throws<ArgumentException>(() => state.QueueLocationRequest(new StaffLocationRequest("r-4", "Wo genau?", staff), now.AddHours(23)));
    }
}
