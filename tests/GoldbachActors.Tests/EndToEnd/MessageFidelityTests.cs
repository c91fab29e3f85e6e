using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// Conversations as WhatsApp shows them: quotes, reactions, edits and deletions from the citizen, the username, and what
/// staff send from the WhatsApp Business app beside the inbox. Sent by the WhatsApp stand-in as Meta's webhooks, through
/// the gateway and the grains, read back through the staff API.
/// </summary>
[Collection(LocalSystemCollection.Name)]
public sealed class MessageFidelityTests(LocalSystem system)
{
    private readonly HttpClient _http = new();

    private Task<string> CitizenSendsAsync(object message) => system.SendThroughStandInAsync("/simulator/citizens/messages", message);

    private Task<string> AppSendsAsync(object message) => system.SendThroughStandInAsync("/simulator/business-app/messages", message);

    private Task<Conversation> ConversationAsync(Citizen citizen) =>
        system.Staff().GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync;

    private static InboundMessage Inbound(Conversation conversation, string wamid) =>
        conversation.Entries.Single(e => e.Inbound?.WhatsappMessageId == wamid && e.Inbound.Type is not ("reaction" or "edit" or "revoke")).Inbound;

    [Fact]
    public async Task A_citizen_quotes_reacts_edits_and_deletes_and_staff_see_each_on_the_message_it_refers_to()
    {
        var citizen = new Citizen("+4915112349401");
        var lamp = await CitizenSendsAsync(new { from = citizen.Phone, text = "Die Laterne am Kirchplatz ist aus", name = "Erika", username = "erika.goldbach" });
        var bench = await CitizenSendsAsync(new { from = citizen.Phone, text = "Und die Bank daneben ist kaputt", replyTo = lamp });
        var reaction = await CitizenSendsAsync(new { from = citizen.Phone, reactTo = lamp, emoji = "👍" });
        await CitizenSendsAsync(new { from = citizen.Phone, text = "Und die Bank daneben ist beschmiert", edits = bench });

        var conversation = await ConversationAsync(citizen);
        var quoting = Inbound(conversation, bench);
        Assert.Equal((lamp, false, "Die Laterne am Kirchplatz ist aus"), (quoting.Quoted.MessageId, quoting.Quoted.FromTown, quoting.Quoted.Preview));
        Assert.Equal("👍", Inbound(conversation, lamp).CitizenReaction);
        Assert.All(conversation.Entries.Where(e => e.Inbound?.Type is "reaction" or "edit"), e => Assert.True(e.Inbound.AppliedToTarget));
        // Edited: the new text, marked, the old one kept for staff.
        Assert.Equal("Und die Bank daneben ist beschmiert", quoting.Text);
        Assert.NotNull(quoting.EditTime);
        Assert.Equal(["Und die Bank daneben ist kaputt"], quoting.PreviousTexts);
        Assert.Equal("erika.goldbach", conversation.Summary.Username);

        // The removal comes with the reaction's own wamid and no emoji; then the citizen deletes the first message.
        await CitizenSendsAsync(new { from = citizen.Phone, reactTo = lamp, whatsAppMessageId = reaction });
        await CitizenSendsAsync(new { from = citizen.Phone, revokes = lamp });

        conversation = await ConversationAsync(citizen);
        var deleted = Inbound(conversation, lamp);
        Assert.Equal(("", ""), (deleted.Text, deleted.CitizenReaction));
        Assert.NotNull(deleted.RevokeTime);
        // Nothing of its text stays: not in the quote of the reply, not in the inbox list.
        Assert.Equal("", Inbound(conversation, bench).Quoted.Preview);
        Assert.DoesNotContain(conversation.Entries, e => e.Inbound?.Quoted?.Preview?.Contains("Laterne", StringComparison.Ordinal) == true);
        // Reactions, edits and deletions are no new requests: one acknowledgement for the lot, and still new.
        Assert.Single(await system.WaitForSentAsync(citizen.Phone, 1));
        Assert.Equal(ConversationStatus.New, conversation.Summary.Status);

        // The same conversation by username, by business-scoped user id and by number.
        foreach (var query in new[] { "@erika.goldbach", citizen.Bsuid, citizen.WaId })
        {
            var found = await system.Staff().ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}", Query = query });
            Assert.Equal([citizen.ConversationName], found.Conversations.Select(c => c.Name));
        }
    }

    [Fact]
    public async Task A_photo_the_citizen_deletes_is_removed_from_blob_storage()
    {
        var citizen = new Citizen("+4915112349402");
        var (photoId, photoSha) = system.Media.Add("fake-jpeg-of-a-licence-plate"u8.ToArray(), "image/jpeg");
        const string wamid = "wamid.fidelity-photo";
        using (var response = await system.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From(wamid)}},"type":"image","image":{"caption":"Falschparker vor der Einfahrt","mime_type":"image/jpeg","sha256":"{{photoSha}}","id":"{{photoId}}"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var stored = await Eventually.Until(() => ConversationAsync(citizen), c => Inbound(c, wamid).Media?.Status == MediaStatus.Stored);
        var blob = new BlobServiceClient(system.Storage.ConnectionString).GetBlobContainerClient("media")
            .GetBlobClient($"{LocalSystem.Tenant}/{citizen.Bsuid}/{wamid}");
        Assert.True((await blob.ExistsAsync()).Value);
        var download = Inbound(stored, wamid).Media.DownloadPath;

        await CitizenSendsAsync(new { from = citizen.Phone, revokes = wamid });

        var conversation = await ConversationAsync(citizen);
        var deleted = Inbound(conversation, wamid);
        Assert.Null(deleted.Media);
        Assert.Equal("", deleted.Text);
        Assert.NotNull(deleted.RevokeTime);
        Assert.False((await blob.ExistsAsync()).Value, "the deleted photo is still in blob storage");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(system.GatewayHttp, download));
        request.Headers.Authorization = new("Bearer", LocalSystem.Token("staff-01", Contracts.StaffRoles.Agent, LocalSystem.Tenant));
        using var fetched = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, fetched.StatusCode);
        Assert.Equal("Nachricht wurde gelöscht", (await system.Staff().ListConversationsAsync(new ListConversationsRequest
        {
            Parent = $"tenants/{LocalSystem.Tenant}",
            Query = citizen.WaId,
        })).Conversations.Single().LastMessagePreview);
    }

    [Fact]
    public async Task A_reaction_to_a_message_no_longer_in_the_hot_state_finds_it_in_the_history()
    {
        var citizen = new Citizen("+4915112349403");
        var t0 = DateTimeOffset.UtcNow.AddHours(-3);
        var messages = Enumerable.Range(0, 60).Select(i => $$"""{{citizen.From($"wamid.fidelity-old-{i}", t0.AddSeconds(i))}},"type":"text","text":{"body":"Meldung {{i}}"}""").ToArray();
        using (var response = await system.PostWebhookAsync(Payloads.Messages(citizen, messages)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var before = await ConversationAsync(citizen);
        Assert.DoesNotContain(before.Entries, e => e.Inbound?.WhatsappMessageId == "wamid.fidelity-old-0");
        Assert.NotEmpty(before.NextPageToken);

        var reaction = await CitizenSendsAsync(new { from = citizen.Phone, reactTo = "wamid.fidelity-old-0", emoji = "🙏" });

        var shown = (await ConversationAsync(citizen)).Entries.Single(e => e.Inbound?.WhatsappMessageId == reaction).Inbound;
        Assert.Equal(("🙏", "wamid.fidelity-old-0", "Meldung 0"), (shown.Reaction.Emoji, shown.Quoted.MessageId, shown.Quoted.Preview));
        Assert.False(shown.AppliedToTarget);
    }

    [Fact]
    public async Task What_staff_send_from_the_business_app_appears_as_the_administrations_and_is_never_sent_again()
    {
        var citizen = new Citizen("+4915112349404");
        var question = await CitizenSendsAsync(new { from = citizen.Phone, text = "Hat der Wertstoffhof am Samstag offen?" });
        await system.WaitForSentAsync(citizen.Phone, 1);
        var echo = await AppSendsAsync(new { to = citizen.Phone, text = "Ja, von 9 bis 12 Uhr." });

        var conversation = await ConversationAsync(citizen);
        var app = conversation.Entries.Single(e => e.Outbound?.WhatsappMessageId == echo).Outbound;
        Assert.Equal((OutboundKind.AppEcho, DeliveryState.Sent, "Ja, von 9 bis 12 Uhr.", ""), (app.Kind, app.State, app.Text, app.SentBy));
        // The citizen reacts to it and quotes it, as to any of the town's messages.
        await CitizenSendsAsync(new { from = citizen.Phone, reactTo = echo, emoji = "❤️" });
        var thanks = await CitizenSendsAsync(new { from = citizen.Phone, text = "Danke!", replyTo = echo });
        // Staff correct it in the app, then take it back.
        await AppSendsAsync(new { to = citizen.Phone, text = "Ja, von 9 bis 13 Uhr.", edits = echo });
        conversation = await ConversationAsync(citizen);
        app = conversation.Entries.Single(e => e.Outbound?.WhatsappMessageId == echo).Outbound;
        Assert.Equal(("Ja, von 9 bis 13 Uhr.", "❤️"), (app.Text, app.CitizenReaction));
        Assert.NotNull(app.EditTime);
        Assert.Equal((true, "Ja, von 9 bis 12 Uhr."), (Inbound(conversation, thanks).Quoted.FromTown, Inbound(conversation, thanks).Quoted.Preview));
        await AppSendsAsync(new { to = citizen.Phone, revokes = echo });
        app = (await ConversationAsync(citizen)).Entries.Single(e => e.Outbound?.WhatsappMessageId == echo).Outbound;
        Assert.NotNull(app.RevokeTime);
        Assert.Equal("", app.Text);

        // Only the acknowledgement went through the Graph API: the app's messages were sent by the app.
        await Task.Delay(500);
        Assert.Single(system.SentMessages.List(citizen.Phone));
        Assert.NotNull(question);
    }

    [Fact]
    public async Task A_history_sync_webhook_is_accepted_and_counted_and_imports_nothing()
    {
        using var history = new Measurements("goldbach.webhook.notifications", "field", "history");
        var citizen = new Citizen("+4915112349405");
        var body = System.Text.Encoding.UTF8.GetBytes($$$"""
            {"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"history","value":{
              "messaging_product":"whatsapp","metadata":{"display_phone_number":"4960215000","phone_number_id":"{{{LocalSystem.Tenant}}}"},
              "history":[{"metadata":{"phase":0,"chunk_order":1,"progress":100},"threads":[{"id":"{{{citizen.WaId}}}","messages":[
                {"from":"{{{citizen.WaId}}}","id":"wamid.history-1","timestamp":"1733000000","type":"text","text":{"body":"Alte Nachricht"},"history_context":{"status":"READ"}}]}]}]}}]}]}
            """);
        using (var response = await system.PostWebhookAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(1, history.Total);
        var missing = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => ConversationAsync(citizen));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Opening_a_conversation_gives_the_citizen_blue_ticks_once_and_reading_it_in_the_background_does_not()
    {
        var citizen = new Citizen("+4915112349406");
        await CitizenSendsAsync(new { from = citizen.Phone, text = "Ist der Grillplatz am Samstag frei?" });
        var newest = await CitizenSendsAsync(new { from = citizen.Phone, text = "Wir wären zehn Personen." });
        var staff = system.Staff();

        // The inbox's polling and a read of the history are no opening.
        await ConversationAsync(citizen);
        await staff.ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}" });
        Assert.Empty(system.ReadReceipts.List(newest));

        await staff.MarkReadAsync(new MarkReadRequest { Conversation = citizen.ConversationName });
        var receipt = Assert.Single(system.ReadReceipts.List(newest));
        Assert.False(receipt.Typing);
        // The newest message covers the earlier ones: nothing is marked twice, and opening it again sends nothing.
        await staff.MarkReadAsync(new MarkReadRequest { Conversation = citizen.ConversationName });
        Assert.Single(system.ReadReceipts.List(newest));

        var later = await CitizenSendsAsync(new { from = citizen.Phone, text = "Und gibt es dort Strom?" });
        await staff.MarkReadAsync(new MarkReadRequest { Conversation = citizen.ConversationName });
        Assert.Single(system.ReadReceipts.List(later));
    }

    [Fact]
    public async Task While_staff_type_the_citizen_sees_the_typing_indicator_at_most_once_per_twenty_seconds()
    {
        var citizen = new Citizen("+4915112349407");
        var question = await CitizenSendsAsync(new { from = citizen.Phone, text = "Wann ist die nächste Sperrmüllabfuhr?" });
        var staff = system.Staff();

        var first = await staff.SignalTypingAsync(new SignalTypingRequest { Conversation = citizen.ConversationName });
        var second = await staff.SignalTypingAsync(new SignalTypingRequest { Conversation = citizen.ConversationName });

        Assert.Equal((true, false), (first.Sent, second.Sent));
        var indicator = Assert.Single(system.ReadReceipts.List(question));
        Assert.True(indicator.Typing);
        var stranger = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => system.Staff(tenant: "999999999999999")
            .SignalTypingAsync(new SignalTypingRequest { Conversation = citizen.ConversationName }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, stranger.StatusCode);
    }

    [Fact]
    public async Task A_staff_reply_quoting_the_citizens_message_reaches_them_with_the_quote()
    {
        var citizen = new Citizen("+4915112349408");
        var question = await CitizenSendsAsync(new { from = citizen.Phone, text = "Wo kann ich Grünschnitt abgeben?" });
        await CitizenSendsAsync(new { from = citizen.Phone, text = "Und bis wann?" });
        await system.WaitForSentAsync(citizen.Phone, 1);

        var reply = await system.Staff().ReplyAsync(new ReplyRequest
        {
            Conversation = citizen.ConversationName,
            Text = "Am Wertstoffhof, Samstag 9 bis 12 Uhr.",
            RequestId = "quote-1",
            QuotedMessageId = question,
        });

        Assert.Equal((question, "Wo kann ich Grünschnitt abgeben?"), (reply.Quoted.MessageId, reply.Quoted.Preview));
        var sent = (await system.WaitForSentAsync(citizen.Phone, 2)).Single(m => m.Text == "Am Wertstoffhof, Samstag 9 bis 12 Uhr.");
        Assert.Equal(question, sent.Body["context"]?["message_id"]?.GetValue<string>());
        var unknown = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => system.Staff().ReplyAsync(new ReplyRequest
        {
            Conversation = citizen.ConversationName,
            Text = "Zitat ins Leere",
            RequestId = "quote-2",
            QuotedMessageId = "wamid.nirgends",
        }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.DoesNotContain(system.SentMessages.List(citizen.Phone), m => m.Text == "Zitat ins Leere");
    }

    [Fact]
    public async Task Staff_react_with_a_checkmark_for_done_audited_and_take_it_back()
    {
        var citizen = new Citizen("+4915112349409");
        var report = await CitizenSendsAsync(new { from = citizen.Phone, text = "Der Papierkorb an der Bushaltestelle ist voll." });
        await system.WaitForSentAsync(citizen.Phone, 1);
        var staff = system.Staff("staff-bauhof");

        var reaction = await staff.ReactAsync(new ReactRequest { Conversation = citizen.ConversationName, MessageId = report, Emoji = "✅", RequestId = "react-1" });
        // A retry of the same request reacts once.
        await staff.ReactAsync(new ReactRequest { Conversation = citizen.ConversationName, MessageId = report, Emoji = "✅", RequestId = "react-1" });

        Assert.Equal((OutboundKind.Reaction, "✅", report), (reaction.Kind, reaction.Text, reaction.ReactionTo));
        var sent = (await system.WaitForSentAsync(citizen.Phone, 2)).Where(m => m.Type == "reaction").ToList();
        Assert.Equal(report, Assert.Single(sent).Body["reaction"]?["message_id"]?.GetValue<string>());
        Assert.Equal("✅", Inbound(await ConversationAsync(citizen), report).TownReaction);
        var audit = await system.Staff("chefin", Contracts.StaffRoles.Supervisor).ListAuditEntriesAsync(
            new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}", Conversation = citizen.ConversationName, PageSize = 100 });
        Assert.Contains(audit.Entries, e => e.Action == "React" && e.StaffId == "staff-bauhof");

        await staff.ReactAsync(new ReactRequest { Conversation = citizen.ConversationName, MessageId = report, Emoji = "", RequestId = "react-2" });
        var removals = (await system.WaitForSentAsync(citizen.Phone, 3)).Where(m => m.Type == "reaction").ToList();
        Assert.Equal(["✅", ""], removals.Select(m => m.Text));
        Assert.Equal("", Inbound(await ConversationAsync(citizen), report).TownReaction);

        foreach (var (emoji, target) in new[] { ("ok", report), ("✅✅", report), ("✅", "wamid.nirgends") })
        {
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => staff.ReactAsync(new ReactRequest
            {
                Conversation = citizen.ConversationName,
                MessageId = target,
                Emoji = emoji,
                RequestId = $"bad-{emoji}-{target}",
            }).ResponseAsync);
            Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);
        }
    }

    [Fact]
    public async Task A_supervisor_blocks_an_abusive_citizen_who_then_gets_no_acknowledgement_and_unblocks_them()
    {
        var citizen = new Citizen("+4915112349410");
        await CitizenSendsAsync(new { from = citizen.Phone, text = "Beleidigung" });
        await system.WaitForSentAsync(citizen.Phone, 1);
        var request = new SetBlockedRequest { Conversation = citizen.ConversationName, Blocked = true };

        var agent = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => system.Staff().SetBlockedAsync(request).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, agent.StatusCode);
        var supervisor = system.Staff("chefin", Contracts.StaffRoles.Supervisor);
        var blocked = await supervisor.SetBlockedAsync(request);
        Assert.True(blocked.Blocked);

        // Resolved, then written to again: a new conversation, which a blocked citizen does not get acknowledged.
        await supervisor.SetStatusAsync(new SetStatusRequest { Conversation = citizen.ConversationName, Status = ConversationStatus.Resolved });
        await CitizenSendsAsync(new { from = citizen.Phone, text = "Noch eine Beleidigung" });
        await Task.Delay(500);
        Assert.Single(system.SentMessages.List(citizen.Phone));
        Assert.Contains("Noch eine Beleidigung", (await ConversationAsync(citizen)).Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));

        var unblocked = await supervisor.SetBlockedAsync(new SetBlockedRequest { Conversation = citizen.ConversationName, Blocked = false });
        Assert.False(unblocked.Blocked);
        var events = (await ConversationAsync(citizen)).Entries.Where(e => e.Event is not null).Select(e => e.Event.Kind).ToList();
        Assert.Contains(ConversationEventKind.Blocked, events);
        Assert.Contains(ConversationEventKind.Unblocked, events);
        var audit = await supervisor.ListAuditEntriesAsync(new ListAuditEntriesRequest { Parent = $"tenants/{LocalSystem.Tenant}", Conversation = citizen.ConversationName, PageSize = 100 });
        Assert.Equal(2, audit.Entries.Count(e => e.Action == "SetBlocked" && e.StaffId == "chefin"));
    }

    [Fact]
    public async Task A_block_Meta_refuses_says_why_with_Metas_code_and_changes_nothing()
    {
        var supervisor = system.Staff("chefin", Contracts.StaffRoles.Supervisor);
        // Written past the stand-in (Meta has no message from them in the last 24 hours): Meta refuses with 131047.
        var unknown = new Citizen("+4915112349411");
        using (var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(unknown.Phone, "Hallo")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => supervisor.SetBlockedAsync(
            new SetBlockedRequest { Conversation = unknown.ConversationName, Blocked = true }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("131047", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("131047", refused.Trailers.GetValue("meta-code"));
        Assert.False((await ConversationAsync(unknown)).Summary.Blocked);

        // Last wrote two days ago: the service applies Meta's 24-hour rule itself, without asking.
        var old = new Citizen("+4915112349412");
        using (var response = await system.PostWebhookAsync(LocalSystem.TextWebhook(old.Phone, "Alte Nachricht", at: DateTimeOffset.UtcNow.AddDays(-2))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var late = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => supervisor.SetBlockedAsync(
            new SetBlockedRequest { Conversation = old.ConversationName, Blocked = true }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("24 Stunden", late.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Charged_messages_are_counted_as_service_messages_or_templates()
    {
        using var charged = new Measurements("goldbach.outbound.charged", "pricing", "service");
        var citizen = new Citizen("+4915112349413");
        await CitizenSendsAsync(new { from = citizen.Phone, text = "Wann ist das Bürgerbüro offen?" });
        await system.WaitForSentAsync(citizen.Phone, 1);

        // The acknowledgement is free text inside the window: a service message, charged since October 2026.
        await Eventually.Until(() => Task.FromResult(charged.Total), total => total >= 1, TimeSpan.FromSeconds(10));
    }

    // Counts what an instrument of this process records with one tag value (the hosts run in-process; other tests'
    // hosts may add to instruments they share, so a test asserts only on measurements it alone causes or a lower bound).
    private sealed class Measurements : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _total;

        public Measurements(string instrument, string tag, string value)
        {
            _listener.InstrumentPublished = (published, listener) =>
            {
                if (published.Name == instrument)
                {
                    listener.EnableMeasurementEvents(published);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, measured, tags, _) =>
            {
                foreach (var pair in tags)
                {
                    if (pair.Key == tag && pair.Value as string == value)
                    {
                        Interlocked.Add(ref _total, measured);
                    }
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
