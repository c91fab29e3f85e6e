using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.Duty;

namespace GoldbachActors.Tests.Domain;

/// <summary>Who the duty phone rings, and when: the rules without a cluster.</summary>
public sealed class DutyRulesTests
{
    private static readonly OfficeHours Calendar = new(
        OfficeHours.ParseWeek(new Dictionary<string, string> { ["Monday"] = "08:00-12:00", ["Thursday"] = "08:00-12:00, 14:00-18:00" }),
        [new DateOnly(2026, 12, 24)], OfficeHours.Berlin);

    private static readonly ImmutableArray<RotaShift> Rota =
    [
        new(new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 7), ["dienst1", "dienst2"]),
        new(new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 26), ["dienst2"]),
    ];

    private static readonly DutyStaff[] Staff =
    [
        new("dienst1", StaffRoles.Agent, Paused: false),
        new("dienst2", StaffRoles.Agent, Paused: false),
        new("leitung", StaffRoles.Supervisor, Paused: false),
        new("admin", StaffRoles.Admin, Paused: true),
    ];

    private static DateTimeOffset Berlin(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(1));

    private static DutyRules Rules(bool inHours = false) =>
        new(Calendar, new DutyOptions { NotifyNewConversationsInOfficeHours = inHours });

    [Fact]
    public void The_shift_covering_the_towns_day_names_who_is_on_duty_in_order()
    {
        Assert.Equal(["dienst1", "dienst2"], DutyRules.OnDuty(Rota, Berlin(12, 6, 23)).ToArray());
        // 23:30 UTC on 6 December is already 7 December in Goldbach; 8 December is nobody's.
        Assert.Equal(["dienst1", "dienst2"], DutyRules.OnDuty(Rota, new DateTimeOffset(2026, 12, 6, 23, 30, 0, TimeSpan.Zero)).ToArray());
        Assert.Empty(DutyRules.OnDuty(Rota, new DateTimeOffset(2026, 12, 7, 23, 30, 0, TimeSpan.Zero)).ToArray());
        Assert.Equal(["dienst2"], DutyRules.OnDuty(Rota, Berlin(12, 24, 10)).ToArray());
    }

    [Fact]
    public void An_urgent_message_rings_the_one_on_duty_again_then_the_next_then_the_supervisors()
    {
        var saturday = Berlin(12, 5, 22);
        var onDuty = DutyRules.OnDuty(Rota, saturday);
        var rules = Rules();
        Assert.Equal(["dienst1"], rules.Ring(urgent: true, 0, saturday, onDuty, Staff).Staff.ToArray());
        Assert.Equal(["dienst1"], rules.Ring(urgent: true, 1, saturday, onDuty, Staff).Staff.ToArray());
        Assert.Equal(["dienst2"], rules.Ring(urgent: true, 2, saturday, onDuty, Staff).Staff.ToArray());
        // The paused admin is never rung, not even as a supervisor.
        var last = rules.Ring(urgent: true, 3, saturday, onDuty, Staff);
        Assert.Equal(("leitung", false), (string.Join(",", last.Staff), last.Unstaffed));
        Assert.Empty(rules.Ring(urgent: true, 4, saturday, onDuty, Staff).Staff.ToArray());
        Assert.Equal(saturday.AddMinutes(10), rules.NextStepAt(urgent: true, 0, saturday));
        Assert.Null(rules.NextStepAt(urgent: true, DutyRules.LastStep, saturday));
        Assert.Null(rules.NextStepAt(urgent: false, 0, saturday));
    }

    [Fact]
    public void In_office_hours_an_urgent_message_rings_the_office_too_and_a_new_conversation_rings_nobody_unless_configured()
    {
        var monday = Berlin(12, 7, 9);
        var onDuty = DutyRules.OnDuty(Rota, monday);
        Assert.Equal(["dienst1", "dienst2", "leitung"], Rules().Ring(urgent: true, 0, monday, onDuty, Staff).Staff.ToArray());
        Assert.Empty(Rules().Ring(urgent: false, 0, monday, onDuty, Staff).Staff.ToArray());
        Assert.Equal(["dienst1", "dienst2", "leitung"], Rules(inHours: true).Ring(urgent: false, 0, monday, onDuty, Staff).Staff.ToArray());
        // Out of hours (Monday evening) a new conversation rings the one on duty only.
        Assert.Equal(["dienst1"], Rules().Ring(urgent: false, 0, Berlin(12, 7, 19), onDuty, Staff).Staff.ToArray());
        Assert.Empty(Rules().Ring(urgent: false, 1, Berlin(12, 7, 19), onDuty, Staff).Staff.ToArray());
    }

    [Fact]
    public void Nobody_on_duty_or_everyone_paused_rings_the_supervisors_and_counts_as_unstaffed()
    {
        var christmasEveClosed = Berlin(12, 24, 9); // a closing day: no office, and the rota names dienst2
        var paused = Staff.Select(s => s.StaffId == "dienst2" ? s with { Paused = true } : s).ToArray();
        var ring = Rules().Ring(urgent: false, 0, christmasEveClosed, DutyRules.OnDuty(Rota, christmasEveClosed), paused);
        Assert.Equal(("leitung", true), (string.Join(",", ring.Staff), ring.Unstaffed));
        var nobody = Rules().Ring(urgent: true, 0, Berlin(12, 8, 22), [], [new DutyStaff("dienst1", StaffRoles.Agent, false)]);
        Assert.Equal((0, true), (nobody.Staff.Length, nobody.Unstaffed));
    }

    [Fact]
    public void A_notification_names_the_kind_and_the_category_and_links_to_the_alert_not_to_the_citizen()
    {
        var alert = new DutyAlert("0123456789abcdef0123456789abcdef", "106540352242922/4915112345678", Urgent: true, "Spielplatz",
            DateTimeOffset.UtcNow, Step: 0, null, [], false);
        var first = DutyNotifications.For(alert, TimeSpan.FromMinutes(10));
        Assert.Equal(("Dringend: neue Nachricht (Kategorie Spielplatz)", "/#/alarm/0123456789abcdef0123456789abcdef", alert.Id), (first.Title, first.Url, first.Tag));
        Assert.DoesNotContain("4915112345678", first.ToString(), StringComparison.Ordinal);
        var second = DutyNotifications.For(alert with { Step = 2 }, TimeSpan.FromMinutes(10));
        Assert.Equal("Seit 20 Minuten hat niemand die Unterhaltung geöffnet.", second.Body);
        Assert.Equal("Neue Nachricht (Kategorie Sonstiges)", DutyNotifications.For(alert with { Urgent = false, Category = null }, TimeSpan.FromMinutes(10)).Title);
    }

    [Theory]
    [InlineData("https://fcm.googleapis.com/fcm/send/abc", false, null)]
    [InlineData("http://127.0.0.1:7065/push/abc", true, null)]
    [InlineData("http://127.0.0.1:7065/push/abc", false, "https-Adresse")]
    [InlineData("http://push.example/abc", true, "https-Adresse")]
    [InlineData("not a url", false, "https-Adresse")]
    public void A_subscription_needs_an_https_endpoint_unless_it_is_the_local_stand_in(string endpoint, bool allowLoopback, string? error)
    {
        var device = new PushDeviceRegistration("handy-1", endpoint,
            "BGC527dVtZ7gr0P0VSjW6UVEKpRW-6UyNv_qjY4FvRBa3Hrgr3CZmvnMWsDi995AAQZQ6w0OS8IyQP5ZOG_QMmI", "AAECAwQFBgcICQoLDA0ODw", "Handy");
        if (error is null)
        {
            PushSubscriptionRules.Validate(device, allowLoopback);
        }
        else
        {
            Assert.Contains(error, Assert.Throws<ArgumentException>(() => PushSubscriptionRules.Validate(device, allowLoopback)).Message, StringComparison.Ordinal);
        }
    }
}
