using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GoldbachActors.Tests.Domain;

public sealed class HistoryArchiveTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly ConversationRules Rules = new(TimeSpan.FromDays(3), TimeSpan.FromMinutes(10));

    private static InboundMessage Message(int n, DateTimeOffset at) =>
        new($"wamid.{n}", at, "text", $"Nachricht {n}: " + new string('x', 200), "+4915112345678", "Erika");

    // Records messages (and a staff reply now and then) and archives like the grain does; returns the pages written.
    private static List<HistoryPage> Converse(CitizenState state, int messages)
    {
        var pages = new List<HistoryPage>();
        for (var i = 1; i <= messages; i++)
        {
            var at = T0.AddMinutes(i);
            state.TryRecord(Message(i, at), at, Rules);
            if (i % 10 == 0)
            {
                var reply = state.QueueReply(new StaffReply($"r{i}", "Danke, wir kümmern uns.", StaffActor.Agent("staff-01")), at);
                state.Update(reply with { State = DeliveryState.Delivered, WhatsAppMessageId = $"wamid.out{i}" });
            }
            while (state.NextPageToArchive() is { } page)
            {
                pages.Add(page);
                state.CommitArchive(page, at);
            }
        }
        return pages;
    }

    [Fact]
    public void Ten_thousand_messages_keep_the_hot_state_bounded_and_every_message_is_in_exactly_one_place()
    {
        var serializer = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(CitizenState).Assembly).AddAssembly(typeof(InboundMessage).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer<CitizenState>>();
        var large = new CitizenState();

        var pages = Converse(large, 10_000);

        Assert.True(large.Inbound.Count + large.Outbound.Count + large.Events.Count <= CitizenState.HotLimit);
        // The 10,000-message state differs from the 10-message one only by a full hot tail and a full (bounded)
        // deduplication window: far inside Azure Table's 1 MiB entity limit, and it stops growing.
        var largeBytes = serializer.SerializeToArray(large).Length;
        Assert.True(largeBytes < 128 * 1024, $"{largeBytes} bytes");
        var moreMessages = new CitizenState();
        Converse(moreMessages, 20_000);
        Assert.InRange(serializer.SerializeToArray(moreMessages).Length, largeBytes * 0.8, largeBytes * 1.2);

        Assert.Equal(Enumerable.Range(1, pages.Count), pages.Select(p => p.Number));
        Assert.Equal(pages.Count, large.ArchivedPages);
        var all = pages.SelectMany(p => p.Inbound).Concat(large.Inbound).Select(m => m.WhatsAppMessageId).ToList();
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => $"wamid.{i}"), all);
        Assert.Equal(1_000, pages.Sum(p => p.Outbound.Length) + large.Outbound.Count);
    }

    [Fact]
    public void Newer_pages_hold_newer_messages_so_staff_read_newest_first_by_page_number()
    {
        var state = new CitizenState();
        var pages = Converse(state, 300);

        for (var i = 1; i < pages.Count; i++)
        {
            Assert.True(pages[i].Inbound.Min(m => m.SentAt) > pages[i - 1].Inbound.Max(m => m.SentAt));
        }
        Assert.True(state.Inbound.Min(m => m.SentAt) > pages[^1].Inbound.Max(m => m.SentAt));
    }

    [Fact]
    public void A_message_still_waiting_to_be_sent_is_never_archived_and_does_not_hold_back_the_rest()
    {
        var state = new CitizenState();
        state.TryRecord(Message(0, T0), T0, Rules);
        var queued = state.QueueReply(new StaffReply("r0", "Antwort", StaffActor.Agent("staff-01")), T0);

        var pages = Converse(state, 200);

        Assert.DoesNotContain(pages.SelectMany(p => p.Outbound), m => m.Id == queued.Id);
        Assert.Contains(state.Outbound, m => m.Id == queued.Id);
        // Newer messages are archived past the waiting one (an outage must not grow the state without bound).
        Assert.Contains(pages.SelectMany(p => p.Inbound), m => m.SentAt > queued.CreatedAt);
        Assert.InRange(state.Inbound.Count + state.Outbound.Count + state.Events.Count, 1, CitizenState.HotLimit + 1);
    }

    [Fact]
    public void A_late_delivery_report_reaches_a_message_on_an_archived_page()
    {
        var state = new CitizenState();
        var pages = Converse(state, 200);
        var archived = pages.SelectMany(p => p.Outbound).First();
        var page = pages.Single(p => p.Outbound.Contains(archived));
        Assert.Equal(page.Number, state.ArchivedOutbound[archived.WhatsAppMessageId!].Page);

        Assert.Equal(ReceiveOutcome.Unmatched, state.ApplyReport(new DeliveryReport(archived.WhatsAppMessageId!, "read", T0.AddDays(1), []), T0.AddDays(1)));
        var updated = CitizenState.ApplyReport(page, new DeliveryReport(archived.WhatsAppMessageId!, "read", T0.AddDays(1), []));

        Assert.Equal(DeliveryState.Read, updated!.Outbound.Single(m => m.Id == archived.Id).State);
        Assert.Null(CitizenState.ApplyReport(updated, new DeliveryReport(archived.WhatsAppMessageId!, "delivered", T0.AddDays(1), [])));
    }

    [Fact]
    public void The_summary_keeps_the_latest_message_when_it_is_archived()
    {
        var state = new CitizenState();
        Converse(state, 100);
        // Staff write a lot: the citizen's last message moves to a page.
        for (var i = 0; i < 60; i++)
        {
            var reply = state.QueueReply(new StaffReply($"s{i}", "Info", StaffActor.Agent("staff-01")), T0.AddHours(3).AddMinutes(i));
            state.Update(reply with { State = DeliveryState.Read, WhatsAppMessageId = $"wamid.s{i}" });
            while (state.NextPageToArchive() is { } page)
            {
                state.CommitArchive(page, T0.AddHours(4));
            }
        }

        Assert.Empty(state.Inbound);
        Assert.True(state.Exists);
        var summary = state.ToSummary(CitizenKey.Create("1", "DE.x"));
        Assert.StartsWith("Nachricht 100:", summary.LastMessagePreview, StringComparison.Ordinal);
        Assert.Equal(T0.AddMinutes(100), summary.LastMessageAt);
    }

    [Fact]
    public void A_flood_within_the_deduplication_window_keeps_only_the_newest_message_ids()
    {
        var state = new CitizenState();
        for (var i = 0; i < 3 * CitizenState.MaxRememberedMessageIds; i++)
        {
            state.TryRecord(Message(i, T0.AddSeconds(i)), T0.AddSeconds(i), Rules);
        }

        Assert.True(state.ProcessedMessages.Count <= CitizenState.MaxRememberedMessageIds);
        Assert.False(state.TryRecord(Message(3 * CitizenState.MaxRememberedMessageIds - 1, T0), T0.AddHours(1), Rules));
    }
}
