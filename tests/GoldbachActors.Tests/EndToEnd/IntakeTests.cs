using System.Net;
using Azure.Storage.Blobs;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>Every kind of payload Meta sends, through the real endpoint, as staff then see it.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class IntakeTests(LocalSystem system)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-30);

    private async Task PostOkAsync(byte[] body)
    {
        using var response = await system.PostWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<Conversation> ConversationAsync(Citizen citizen) =>
        system.Staff().GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync;

    private static InboundMessage Inbound(Conversation conversation, string wamid) =>
        conversation.Entries.Single(e => e.Inbound?.WhatsappMessageId == wamid).Inbound;

    [Fact]
    public async Task Every_message_kind_in_one_batch_is_recorded_as_structured_data_staff_can_see()
    {
        var citizen = new Citizen("+4915112349001");
        var photo = "fake-jpeg-bytes"u8.ToArray();
        var (photoId, photoSha) = system.Media.Add(photo, "image/jpeg");
        var (voiceId, _) = system.Media.Add("fake-opus"u8.ToArray(), "audio/ogg");
        var (pdfId, _) = system.Media.Add("%PDF-1.4 fake"u8.ToArray(), "application/pdf");
        var (videoId, _) = system.Media.Add("fake-mp4"u8.ToArray(), "video/mp4");
        var (stickerId, _) = system.Media.Add("fake-webp"u8.ToArray(), "image/webp");

        string M(int i, string rest) => $"{citizen.From($"wamid.kind{i}-{citizen.WaId}", T0.AddSeconds(i))},{rest}";
        await PostOkAsync(Payloads.Messages(citizen,
            M(1, """ "type":"text","text":{"body":"Siehe Foto"},"context":{"from":"4960215000","id":"wamid.ours","forwarded":true},"referral":{"source_url":"https://fb.me/k","source_type":"post","headline":"Kitzrettung","body":"Mitmachen"}"""),
            M(2, $$""" "type":"image","image":{"caption":"Kaputte Schaukel","mime_type":"image/jpeg","sha256":"{{photoSha}}","id":"{{photoId}}"}"""),
            M(3, $$""" "type":"audio","audio":{"mime_type":"audio/ogg; codecs=opus","id":"{{voiceId}}","voice":true}"""),
            M(4, $$""" "type":"document","document":{"caption":"Antrag","filename":"antrag.pdf","mime_type":"application/pdf","id":"{{pdfId}}"}"""),
            M(5, $$""" "type":"video","video":{"mime_type":"video/mp4","id":"{{videoId}}"}"""),
            M(6, $$""" "type":"sticker","sticker":{"mime_type":"image/webp","id":"{{stickerId}}","animated":false}"""),
            M(7, """ "type":"location","location":{"latitude":50.0013,"longitude":9.1854,"name":"Spielplatz Ringstraße","address":"Ringstraße, 63773 Goldbach"}"""),
            M(8, """ "type":"contacts","contacts":[{"name":{"formatted_name":"Hausmeister Müller"},"phones":[{"phone":"+49 6021 1234","type":"CELL"}]}]"""),
            M(9, """ "type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"urgent-yes","title":"Ja, dringend"}},"context":{"from":"4960215000","id":"wamid.q"}"""),
            M(10, """ "type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"grill","title":"Grillplatz","description":"Reservierung"}}"""),
            M(11, """ "type":"button","button":{"payload":"MORE_INFO","text":"Mehr erfahren"},"context":{"from":"4960215000","id":"wamid.t"}"""),
            M(12, """ "type":"reaction","reaction":{"message_id":"wamid.ours","emoji":"👍"}"""),
            M(13, """ "type":"unsupported","errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}],"unsupported":{"type":"poll_update"}"""),
            M(14, """ "type":"hologram","hologram":{"id":"h1"}"""),
            M(15, """ "type":"text","text":{"body":"Aus der Gruppe"},"group_id":"120363025246125486@g.us" """)));
        // A removal arrives with the same wamid as the reaction, without the emoji.
        await PostOkAsync(Payloads.Messages(citizen, $"{citizen.From($"wamid.kind12-{citizen.WaId}", T0.AddSeconds(20))},\"type\":\"reaction\",\"reaction\":{{\"message_id\":\"wamid.ours\"}}"));

        var conversation = await Eventually.Until(() => ConversationAsync(citizen),
            c => c.Entries.Where(e => e.Inbound?.Media is not null).All(e => e.Inbound.Media.Status != MediaStatus.Pending));
        string Id(int i) => $"wamid.kind{i}-{citizen.WaId}";

        var text = Inbound(conversation, Id(1));
        Assert.Equal(("Siehe Foto", "wamid.ours", true), (text.Text, text.Context.RepliedToMessageId, text.Context.Forwarded));
        Assert.Equal("Kitzrettung", text.Referral.Headline);

        var image = Inbound(conversation, Id(2));
        Assert.Equal(("image", "Kaputte Schaukel", MediaStatus.Stored), (image.Media.Kind, image.Media.Caption, image.Media.Status));
        Assert.Equal(photo.Length, image.Media.SizeBytes);
        var blob = new BlobServiceClient(system.Storage.ConnectionString).GetBlobContainerClient("media")
            .GetBlobClient($"{LocalSystem.Tenant}/{citizen.Bsuid}/{Id(2)}");
        Assert.Equal(photo, (await blob.DownloadContentAsync()).Value.Content.ToArray());
        // Staff front ends fetch it from the gateway with their token; without one, or for another town, nothing.
        Assert.StartsWith("/staff/v1/media/", image.Media.DownloadPath, StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            var url = new Uri(system.GatewayHttp, image.Media.DownloadPath);
            using var anonymous = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var otherTown = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Authorization = new("Bearer", LocalSystem.Token("staff-01", "agent", "999")) } };
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(otherTown)).StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Authorization = new("Bearer", LocalSystem.Token("staff-01", "agent", LocalSystem.Tenant)) } };
            using var download = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("image/jpeg", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(photo, await download.Content.ReadAsByteArrayAsync());
        }

        Assert.True(Inbound(conversation, Id(3)).Media.Voice);
        Assert.Equal(MediaStatus.Stored, Inbound(conversation, Id(3)).Media.Status);
        Assert.Equal(("antrag.pdf", MediaStatus.Stored), (Inbound(conversation, Id(4)).Media.FileName, Inbound(conversation, Id(4)).Media.Status));
        Assert.Equal(MediaStatus.Stored, Inbound(conversation, Id(5)).Media.Status);
        Assert.Equal(MediaStatus.Stored, Inbound(conversation, Id(6)).Media.Status);

        var location = Inbound(conversation, Id(7)).Location;
        Assert.Equal((50.0013, 9.1854, "Spielplatz Ringstraße"), (location.Latitude, location.Longitude, location.Name));
        var contact = Assert.Single(Inbound(conversation, Id(8)).Contacts);
        Assert.Equal(("Hausmeister Müller", "+49 6021 1234"), (contact.FormattedName, contact.PhoneNumbers[0]));
        Assert.Equal(("button_reply", "urgent-yes", "Ja, dringend"), (Inbound(conversation, Id(9)).Button.Kind, Inbound(conversation, Id(9)).Button.Id, Inbound(conversation, Id(9)).Button.Title));
        Assert.Equal("Reservierung", Inbound(conversation, Id(10)).Button.Description);
        Assert.Equal(("button", "MORE_INFO"), (Inbound(conversation, Id(11)).Button.Kind, Inbound(conversation, Id(11)).Button.Id));

        var reactions = conversation.Entries.Where(e => e.Inbound?.WhatsappMessageId == Id(12)).Select(e => e.Inbound.Reaction.Emoji).ToList();
        Assert.Equal(["👍", ""], reactions);

        var unsupported = Inbound(conversation, Id(13));
        Assert.Equal(("unsupported", "poll_update", 131051), (unsupported.Type, unsupported.UnsupportedType, unsupported.Errors[0].Code));
        Assert.Equal(("unsupported", "hologram"), (Inbound(conversation, Id(14)).Type, Inbound(conversation, Id(14)).UnsupportedType));
        Assert.Equal("120363025246125486@g.us", Inbound(conversation, Id(15)).GroupId);

        // Ordered by WhatsApp's timestamps; one acknowledgement for the whole batch.
        var inbound = conversation.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.SendTime).ToList();
        Assert.Equal(inbound.OrderBy(t => t.ToDateTimeOffset()), inbound);
        Assert.Single(await system.WaitForSentAsync(citizen.Phone, 1));
    }

    [Fact]
    public async Task Media_that_cannot_be_stored_is_marked_failed_with_a_reason_and_the_webhook_is_still_answered_200()
    {
        var citizen = new Citizen("+4915112349002");
        var (gifId, _) = system.Media.Add("GIF89a"u8.ToArray(), "image/gif");
        var (badHashId, _) = system.Media.Add("real bytes"u8.ToArray(), "image/png");

        await PostOkAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.media-unknown", T0)}},"type":"image","image":{"mime_type":"image/jpeg","id":"999999999999"}""",
            $$"""{{citizen.From("wamid.media-gif", T0.AddSeconds(1))}},"type":"image","image":{"mime_type":"image/gif","id":"{{gifId}}"}""",
            $$"""{{citizen.From("wamid.media-hash", T0.AddSeconds(2))}},"type":"image","image":{"mime_type":"image/png","id":"{{badHashId}}","sha256":"0000"}"""));

        var conversation = await Eventually.Until(() => ConversationAsync(citizen),
            c => c.Entries.Count(e => e.Inbound?.Media?.Status == MediaStatus.Failed) == 2, TimeSpan.FromSeconds(20));

        var unknown = Inbound(conversation, "wamid.media-unknown").Media;
        Assert.Equal(MediaStatus.Failed, unknown.Status);
        Assert.Contains("100", unknown.FailureReason, StringComparison.Ordinal);
        var gif = Inbound(conversation, "wamid.media-gif").Media;
        Assert.Equal(MediaStatus.Failed, gif.Status);
        Assert.Contains("image/gif", gif.FailureReason, StringComparison.Ordinal);
        // The stand-in reports the true hash, so a wrong one announced in the webhook does not matter here; the
        // media endpoint's hash is the one checked, and it matches.
        Assert.Equal(MediaStatus.Stored, Inbound(conversation, "wamid.media-hash").Media.Status);
    }

    [Fact]
    public async Task A_file_that_arrives_corrupted_fails_its_checksum_is_not_kept_and_is_downloaded_again()
    {
        var citizen = new Citizen("+4915112349017");
        var photo = "JFIF: the real photo bytes"u8.ToArray();
        var (id, _) = system.Media.Add(photo, "image/jpeg");
        // The first download arrives with a byte changed; the media endpoint still reports the true SHA-256.
        system.Media.CorruptDownloads(id, 1);

        await PostOkAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.media-corrupt", T0)}},"type":"image","image":{"mime_type":"image/jpeg","id":"{{id}}"}"""));

        var conversation = await Eventually.Until(() => ConversationAsync(citizen),
            c => c.Entries.Any(e => e.Inbound?.WhatsappMessageId == "wamid.media-corrupt" && e.Inbound.Media?.Status == MediaStatus.Stored),
            TimeSpan.FromSeconds(60));
        Assert.Equal(MediaStatus.Stored, Inbound(conversation, "wamid.media-corrupt").Media.Status);
        Assert.Equal(2, system.Media.Downloads(id));
        // What is stored is the true file, byte for byte.
        var stored = new Azure.Storage.Blobs.BlobServiceClient(system.Storage.ConnectionString).GetBlobContainerClient("media")
            .GetBlobClient($"{LocalSystem.Tenant}/{citizen.Bsuid}/wamid.media-corrupt");
        Assert.Equal(photo, (await stored.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_media_download_that_fails_for_a_while_is_retried_after_the_webhook_and_then_stored()
    {
        var citizen = new Citizen("+4915112349009");
        var photo = "flaky-cdn-jpeg"u8.ToArray();
        var (photoId, _) = system.Media.Add(photo, "image/jpeg");
        // More failures than the HTTP pipeline's own retries: the grain must try again later.
        system.Media.FailDownloads(photoId, 5);

        await PostOkAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.flaky", T0)}},"type":"image","image":{"mime_type":"image/jpeg","id":"{{photoId}}"}"""));

        var failedOnce = await Eventually.Until(() => ConversationAsync(citizen),
            c => Inbound(c, "wamid.flaky").Media.FailureReason.Length > 0, TimeSpan.FromSeconds(20));
        Assert.Equal(MediaStatus.Pending, Inbound(failedOnce, "wamid.flaky").Media.Status);
        var stored = await Eventually.Until(() => ConversationAsync(citizen),
            c => Inbound(c, "wamid.flaky").Media.Status == MediaStatus.Stored, TimeSpan.FromSeconds(30));
        Assert.Equal(MediaStatus.Stored, Inbound(stored, "wamid.flaky").Media.Status);
        Assert.Equal(photo.Length, Inbound(stored, "wamid.flaky").Media.SizeBytes);
    }

    [Fact]
    public async Task Statuses_out_of_order_only_move_a_message_forward_and_a_failure_is_shown_with_its_reason()
    {
        var citizen = new Citizen("+4915112349003");
        await PostOkAsync(Payloads.Messages(citizen, $"{citizen.From("wamid.st-1", T0)},\"type\":\"text\",\"text\":{{\"body\":\"Hallo\"}}"));
        var ack = Assert.Single(await system.WaitForSentAsync(citizen.Phone, 1));
        // The callback data names the citizen and the town's own id of the message.
        Assert.Equal(citizen.GrainKey + "#out-1", ack.Body["biz_opaque_callback_data"]!.GetValue<string>());
        await system.Staff().ReplyAsync(new ReplyRequest { Conversation = citizen.ConversationName, Text = "Antwort", RequestId = "st-reply" });
        var reply = (await system.WaitForSentAsync(citizen.Phone, 2))[1];

        // Separate POSTs arriving out of order: read, read again, a late sent, a failure after read, and a status of
        // a message we never sent. (Within one POST the gateway already orders by timestamp.)
        foreach (var status in new[]
        {
            Payloads.Status(ack.Id, "read", citizen, citizen.GrainKey, T0.AddSeconds(3)),
            Payloads.Status(ack.Id, "read", citizen, citizen.GrainKey, T0.AddSeconds(3)),
            Payloads.Status(ack.Id, "sent", citizen, citizen.GrainKey, T0.AddSeconds(1)),
            Payloads.Status(ack.Id, "failed", citizen, citizen.GrainKey, T0.AddSeconds(4)),
            Payloads.Status("wamid.never-sent", "delivered", citizen, citizen.GrainKey, T0.AddSeconds(4)),
        })
        {
            await PostOkAsync(Payloads.Envelope([], [], [status]));
        }
        // A failure reported without the BSUID (Meta omits it when sending went to the phone number).
        await PostOkAsync(Payloads.Envelope([], [], [
            Payloads.Status(reply.Id, "failed", citizen, citizen.GrainKey, T0.AddSeconds(5), withUserId: false,
                errors: """[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"More than 24 hours have passed"}}]"""),
        ]));

        var conversation = await ConversationAsync(citizen);
        var outbound = conversation.Entries.Where(e => e.Outbound is not null).Select(e => e.Outbound).ToList();
        Assert.Equal(DeliveryState.Read, outbound.Single(o => o.WhatsappMessageId == ack.Id).State);
        var failed = outbound.Single(o => o.WhatsappMessageId == reply.Id);
        Assert.Equal((DeliveryState.Failed, 131047), (failed.State, failed.FailureCode));
        Assert.Contains("24 Stunden", failed.FailureReason, StringComparison.Ordinal);

        // A read after the failure proves delivery after all.
        await PostOkAsync(Payloads.Envelope([], [], [Payloads.Status(reply.Id, "read", citizen, citizen.GrainKey, T0.AddSeconds(6))]));
        Assert.Equal(DeliveryState.Read, (await ConversationAsync(citizen)).Entries.Single(e => e.Outbound?.WhatsappMessageId == reply.Id).Outbound.State);
    }

    [Fact]
    public async Task A_changed_user_id_and_number_keep_one_conversation()
    {
        var before = new Citizen("+4915112349004");
        var after = new Citizen("+4915112349005");
        await PostOkAsync(Payloads.Messages(before, $"{before.From("wamid.id-1", T0)},\"type\":\"text\",\"text\":{{\"body\":\"Erste Nachricht\"}}"));
        // The new identity writes before WhatsApp's notice arrives (Meta does not guarantee order).
        await PostOkAsync(Payloads.Messages(after, $"{after.From("wamid.id-2", T0.AddSeconds(10))},\"type\":\"text\",\"text\":{{\"body\":\"Neue Nummer\"}}"));
        var notice = $$"""{{before.From("wamid.id-sys", T0.AddSeconds(5))}},"type":"system","system":{"body":"User changed from {{before.WaId}} to {{after.WaId}}","wa_id":"{{after.WaId}}","user_id":"{{after.Bsuid}}","type":"user_changed_number"}""";
        await PostOkAsync(Payloads.Envelope([], [notice]));
        await PostOkAsync(Payloads.Envelope([], [notice])); // Meta's retry: harmless

        await PostOkAsync(Payloads.Messages(after, $"{after.From("wamid.id-3", T0.AddSeconds(20))},\"type\":\"text\",\"text\":{{\"body\":\"Noch eine\"}}"));

        var conversation = await ConversationAsync(before);
        Assert.Equal(["Erste Nachricht", "", "Neue Nummer", "Noch eine"],
            conversation.Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));
        Assert.Equal("user_changed_number", Inbound(conversation, "wamid.id-sys").System.Kind);
        Assert.Equal(after.Phone, conversation.Summary.PhoneNumber);
        // The new identity's own conversation is gone; asking for it shows the citizen's one conversation.
        Assert.Equal(conversation.Summary.Name, (await ConversationAsync(after)).Summary.Name);
        var inbox = await system.Staff().ListConversationsAsync(new ListConversationsRequest { Parent = $"tenants/{LocalSystem.Tenant}", PageSize = 500, Query = after.Phone });
        Assert.Contains(inbox.Conversations, c => c.Name == before.ConversationName);
        Assert.DoesNotContain(inbox.Conversations, c => c.Name == after.ConversationName);

        await system.Staff().ReplyAsync(new ReplyRequest { Conversation = before.ConversationName, Text = "Angekommen", RequestId = "id-reply" });
        Assert.Contains(await system.WaitForSentAsync(after.Phone, 2), m => m.Text == "Angekommen");
    }

    [Fact]
    public async Task A_batch_of_several_citizens_with_statuses_and_a_malformed_item_is_accepted_except_the_bad_item()
    {
        var a = new Citizen("+4915112349006");
        var b = new Citizen("+4915112349007", Name: null);
        await PostOkAsync(Payloads.Envelope([a, b],
        [
            $"{a.From("wamid.b-a1", T0)},\"type\":\"text\",\"text\":{{\"body\":\"A1\"}}",
            $"{b.From("wamid.b-b1", T0)},\"type\":\"text\",\"text\":{{\"body\":\"B1\"}}",
            "\"from\":\"4915112349006\",\"type\":\"text\",\"text\":{\"body\":\"ohne id\"}",
            $"{a.From("wamid.b-a2", T0.AddSeconds(1))},\"type\":\"text\",\"text\":{{\"body\":\"A2\"}}",
        ],
        [Payloads.Status("wamid.unknown-status", "delivered", a, null, T0)]));

        Assert.Equal(["A1", "A2"], (await ConversationAsync(a)).Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));
        Assert.Equal(["B1"], (await ConversationAsync(b)).Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));
    }

    [Fact]
    public async Task A_webhook_for_a_number_no_tenant_owns_is_acknowledged_and_stores_nothing()
    {
        var citizen = new Citizen("+4915112349008");
        using var response = await system.PostWebhookAsync(Payloads.Envelope([citizen],
            [$"{citizen.From("wamid.foreign", T0)},\"type\":\"text\",\"text\":{{\"body\":\"x\"}}"], tenant: "999000999"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => ConversationAsync(citizen));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task The_same_batch_posted_ten_times_at_once_records_each_message_once()
    {
        var citizens = Enumerable.Range(0, 5).Select(i => new Citizen($"+49151123491{i:D2}")).ToList();
        var body = Payloads.Envelope(citizens, citizens.SelectMany((c, i) => new[]
        {
            $"{c.From($"wamid.ten-{i}-a", T0)},\"type\":\"text\",\"text\":{{\"body\":\"a\"}}",
            $"{c.From($"wamid.ten-{i}-b", T0.AddSeconds(1))},\"type\":\"text\",\"text\":{{\"body\":\"b\"}}",
        }));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => system.PostWebhookAsync(body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var citizen in citizens)
        {
            Assert.Equal(["a", "b"], (await ConversationAsync(citizen)).Entries.Where(e => e.Inbound is not null).Select(e => e.Inbound.Text));
            Assert.Single(await system.WaitForSentAsync(citizen.Phone, 1));
        }
        // A second acknowledgement would follow within a send slot or two: two seconds later still one each.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.All(citizens, c => Assert.Single(system.SentMessages.List(c.Phone)));
    }
}
