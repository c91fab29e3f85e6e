using System.Net;
using System.Text;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;
using StaffRoles = GoldbachActors.Contracts.StaffRoles;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// The department's side of requests: the mail to the department through the real SMTP server, department staff scoped
/// by their token, and asking the citizen for the place with Meta's location request message.
/// </summary>
public sealed partial class ServiceRequestTests
{
    [Fact]
    public async Task A_mail_the_relay_defers_is_retried_until_it_goes_out_once_and_one_it_refuses_for_good_is_shown_to_staff()
    {
        var agent = _system.Staff("sachbearbeiter-7");
        Task<ServiceRequest> CreateAsync(string service, string description) => agent.CreateRequestAsync(new CreateRequestRequest
        {
            Parent = $"tenants/{LocalSystem.Tenant}",
            ServiceCode = service,
            Description = description,
            Place = new RequestPlace { Latitude = 50.0012, Longitude = 9.1843, Address = "Marktplatz 1", Source = "street_list" },
            RequestId = Guid.NewGuid().ToString("N"),
        }).ResponseAsync;

        // The other tests' mails are out (they share the mail server), so that the refusals below meet this test's.
        await Eventually.Until(() => agent.ListRequestsAsync(new ListRequestsRequest { Parent = $"tenants/{LocalSystem.Tenant}" }).ResponseAsync,
            r => r.Requests.All(q => !q.DepartmentMailPending), TimeSpan.FromSeconds(30));
        var refusedBefore = (await _mail.ReceivedAsync()).Refusals.Length;

        // 451 twice (try again later): the silo waits and tries again, and the Ordnungsamt gets it once.
        await _mail.RefuseAsync(451, times: 2);
        var deferred = await CreateAsync("laerm", "Laute Musik jede Nacht am Marktplatz");
        var arrived = await _mail.WaitForAsync(m => m.Any(x => x.Subject.Contains(deferred.Id, StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        var mail = Assert.Single(arrived, m => m.Subject.Contains(deferred.Id, StringComparison.Ordinal));
        Assert.Equal(["ordnungsamt@goldbach.example"], mail.To);
        Assert.Contains("Marktplatz 1 (50.001200, 9.184300)", mail.Text, StringComparison.Ordinal);
        var refusals = (await _mail.ReceivedAsync()).Refusals[refusedBefore..];
        Assert.Equal((2, true), (refusals.Length, refusals.All(c => c == 451)));
        var sent = await Eventually.Until(() => agent.GetRequestAsync(new GetRequestRequest { Name = deferred.Name }).ResponseAsync,
            r => r.DepartmentNotifiedTime is not null, TimeSpan.FromSeconds(10));
        Assert.False(sent.DepartmentMailPending);

        // 550 (refused for good): no more attempts, and staff see why.
        await _mail.RefuseAsync(550, times: 1);
        var refused = await CreateAsync("parkverstoss", "Auto parkt seit Tagen auf dem Gehweg");
        var shown = await Eventually.Until(() => agent.GetRequestAsync(new GetRequestRequest { Name = refused.Name }).ResponseAsync,
            r => !r.DepartmentMailPending, TimeSpan.FromSeconds(30));
        Assert.Contains("550", shown.DepartmentMailError, StringComparison.Ordinal);
        Assert.Null(shown.DepartmentNotifiedTime);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain((await _mail.ReceivedAsync()).Messages, m => m.Subject.Contains(refused.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Department_staff_see_their_department_s_requests_with_their_photos_and_nothing_of_the_inbox()
    {
        var citizen = new Citizen("+4915112345641", "Berta Bankmann");
        var (photoId, photoSha) = _system.Media.Add(Encoding.UTF8.GetBytes("jpeg-bank-bytes"), "image/jpeg");
        var (otherId, otherSha) = _system.Media.Add(Encoding.UTF8.GetBytes("jpeg-other-bytes"), "image/jpeg");
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        using (var posted = await _system.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.dep-text", at)}},"type":"text","text":{"body":"Die Bank am Spielplatz ist zerbrochen, Berta 0151 12345641"}""",
            $$"""{{citizen.From("wamid.dep-photo", at.AddSeconds(1))}},"type":"image","image":{"mime_type":"image/jpeg","sha256":"{{photoSha}}","id":"{{photoId}}"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }
        var agent = _system.Staff("sachbearbeiter-7");
        await Eventually.Until(() => agent.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            c => c.Entries.Any(e => e.Inbound?.Media?.Status == MediaStatus.Stored), TimeSpan.FromSeconds(60));
        var parent = $"tenants/{LocalSystem.Tenant}";
        var bench = await agent.CreateRequestAsync(new CreateRequestRequest
        {
            Parent = parent,
            Conversation = citizen.ConversationName,
            ServiceCode = "spielplatz",
            Description = "Bank zerbrochen, Berta 0151 12345641",
            PhotosFromConversation = true,
            RequestId = "dep-bank",
        });
        var noise = await agent.CreateRequestAsync(new CreateRequestRequest
        {
            Parent = parent,
            ServiceCode = "laerm",
            Description = "Laubbläser um 6 Uhr",
            Place = new RequestPlace { Latitude = 50.0, Longitude = 9.18 },
            RequestId = "dep-laerm",
        });
        // A later photo of the same citizen that no request holds.
        using (var later = await _system.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.dep-other", at.AddSeconds(5))}},"type":"image","image":{"mime_type":"image/jpeg","sha256":"{{otherSha}}","id":"{{otherId}}"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }
        await Eventually.Until(() => agent.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            c => c.Entries.Count(e => e.Inbound?.Media?.Status == MediaStatus.Stored) == 2, TimeSpan.FromSeconds(60));

        var token = LocalSystem.Token("bauhof-team-1", StaffRoles.Agent, LocalSystem.Tenant, department: "bauhof");
        var team = _system.StaffWithToken(token);
        var me = await team.GetSignedInStaffAsync(new GetSignedInStaffRequest());
        Assert.Equal(("bauhof", "Bauhof"), (me.Department, me.DepartmentName));

        // Their department's requests only, even when they ask for another's; the citizen's words, link and number stay out.
        var listed = (await team.ListRequestsAsync(new ListRequestsRequest { Parent = parent, Department = "ordnungsamt" })).Requests;
        Assert.All(listed, r => Assert.Equal("bauhof", r.Department));
        var shown = Assert.Single(listed, r => r.Id == bench.Id);
        Assert.DoesNotContain(listed, r => r.Id == noise.Id);
        Assert.Equal((bench.PublicDescription, "", ""), (shown.Description, shown.Conversation, shown.Contact));
        Assert.DoesNotContain("12345641", shown.Description, StringComparison.Ordinal);
        var hidden = await Assert.ThrowsAsync<RpcException>(() => team.GetRequestAsync(new GetRequestRequest { Name = noise.Name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        var moved = await team.UpdateRequestStatusAsync(new UpdateRequestStatusRequest { Name = bench.Name, Status = RequestStatus.InProgress, Version = bench.Version });
        Assert.Equal(RequestStatus.InProgress, moved.Status);
        var notTheirs = await Assert.ThrowsAsync<RpcException>(() => team.UpdateRequestStatusAsync(
            new UpdateRequestStatusRequest { Name = noise.Name, Status = RequestStatus.Done }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, notTheirs.StatusCode);

        // Nothing of the inbox: no conversation list, no conversation, no new request, no publishing.
        foreach (var refused in new Func<Task>[]
        {
            () => team.ListConversationsAsync(new ListConversationsRequest { Parent = parent }).ResponseAsync,
            () => team.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            () => team.CreateRequestAsync(new CreateRequestRequest { Parent = parent, ServiceCode = "spielplatz", Description = "x" }).ResponseAsync,
            () => team.PublishRequestAsync(new PublishRequestRequest { Name = bench.Name, PublicDescription = "y" }).ResponseAsync,
        })
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(refused)).StatusCode);
        }

        // The request's photo, yes; the citizen's other photo, no.
        using var http = new HttpClient();
        async Task<HttpStatusCode> FetchAsync(string wamid)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(_system.GatewayHttp, $"/staff/v1/media/{LocalSystem.Tenant}/{citizen.Bsuid}/{wamid}"))
            {
                Headers = { Authorization = new("Bearer", token) },
            };
            using var response = await http.SendAsync(get);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await FetchAsync("wamid.dep-photo"));
        Assert.Equal(HttpStatusCode.Forbidden, await FetchAsync("wamid.dep-other"));
    }

    [Fact]
    public async Task Staff_ask_for_the_place_with_meta_s_location_request_and_the_shared_location_becomes_the_request_s_place()
    {
        var citizen = new Citizen("+4915112345651", "Hanna Ort");
        using (var posted = await _system.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.loc-text", DateTimeOffset.UtcNow.AddMinutes(-1))}},"type":"text","text":{"body":"Da liegt Sperrmüll im Wald"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }
        var agent = _system.Staff("sachbearbeiter-7");
        await Eventually.Until(() => agent.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            c => c.Entries.Any(e => e.Inbound is not null), TimeSpan.FromSeconds(30));
        var ask = new RequestLocationRequest { Conversation = citizen.ConversationName, RequestId = "wo-genau-1" };
        var asked = await agent.RequestLocationAsync(ask);
        Assert.Equal((OutboundKind.LocationRequest, asked.Id), (asked.Kind, (await agent.RequestLocationAsync(ask)).Id));

        // The stand-in got Meta's interactive location_request_message, once, in the shape Meta documents.
        var sent = await Eventually.Until(() => Task.FromResult(_system.SentMessages.List(citizen.Phone).Where(m => m.Type == "interactive").ToList()),
            m => m.Count > 0, TimeSpan.FromSeconds(30));
        var interactive = Assert.Single(sent).Body["interactive"]!;
        Assert.Equal(("location_request_message", "send_location"),
            (interactive["type"]!.GetValue<string>(), interactive["action"]!["name"]!.GetValue<string>()));
        Assert.StartsWith("Bitte teilen Sie uns den Ort mit", interactive["body"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // The citizen taps "Standort senden": an ordinary location message, which the request takes over.
        using (var answer = await _system.PostWebhookAsync(Payloads.Messages(citizen,
            $$"""{{citizen.From("wamid.loc-answer", DateTimeOffset.UtcNow)}},"type":"location","location":{"latitude":49.995512,"longitude":9.191004}""")))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
        await Eventually.Until(() => agent.GetConversationAsync(new GetConversationRequest { Name = citizen.ConversationName }).ResponseAsync,
            c => c.Entries.Any(e => e.Inbound?.Location is not null), TimeSpan.FromSeconds(30));
        var request = await agent.CreateRequestAsync(new CreateRequestRequest
        {
            Parent = $"tenants/{LocalSystem.Tenant}",
            Conversation = citizen.ConversationName,
            ServiceCode = "vermuellung",
            Description = "Sperrmüll im Wald",
            PlaceFromConversation = true,
            RequestId = "loc-request",
        });
        Assert.Equal((49.995512, 9.191004, "shared_location"), (request.Place.Latitude, request.Place.Longitude, request.Place.Source));

        // Outside the window it is no template: refused, nothing sent.
        var late = new Citizen("+4915112345652", "Lars Spät");
        using (var old = await _system.PostWebhookAsync(Payloads.Messages(late,
            $$"""{{late.From("wamid.loc-late", DateTimeOffset.UtcNow.AddHours(-25))}},"type":"text","text":{"body":"Laterne kaputt"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        }
        var refused = await Assert.ThrowsAsync<RpcException>(() => agent.RequestLocationAsync(
            new RequestLocationRequest { Conversation = late.ConversationName, RequestId = "wo-genau-2" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("24-Stunden-Fensters", refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_system.SentMessages.List(late.Phone), m => m.Type == "interactive");
    }
}
