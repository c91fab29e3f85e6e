using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using GoldbachActors.Contracts;
using GoldbachActors.ServiceDefaults;
using GoldbachActors.StaffApi.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace GoldbachActors.Cli;

/// <summary>
/// The <c>goldbach</c> commands. Exit codes: 0 done, 1 wrong usage, 2 the service refused the request,
/// 3 the service could not be reached, 4 an erasure began and is not finished yet.
/// </summary>
public static partial class CliCommands
{
    public const int Refused = 2;
    public const int Unreachable = 3;
    public const int Unfinished = 4;

    private static readonly Option<string> StaffOption = new("--staff")
    {
        Description = "Who you are (recorded internally, never shown to citizens). Used for local development tokens.",
        DefaultValueFactory = _ => Environment.UserName,
        Recursive = true,
    };

    private static readonly Option<string?> GatewayOption = new("--gateway")
    {
        Description = "The gateway's staff API (default: GOLDBACH_GATEWAY, else the local system's).",
        Recursive = true,
    };

    private static readonly Option<string?> TenantOption = new("--tenant")
    {
        Description = "The tenant's phone_number_id (default: GOLDBACH_TENANT, else the local demo tenant).",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Markt Goldbach WhatsApp service: staff and operator CLI.")
        {
            Simulate(), Sent(), Inbox(), Show(), Reply(), Note(), Assign(), Status(), Snooze(), Category(), Export(), Erase(), Retention(), Request(), Login(), Logout(), WhoAmI(), Token(), VapidKeys(),
            DeadLetterCommands.Build(),
        };
        root.Options.Add(StaffOption);
        root.Options.Add(GatewayOption);
        root.Options.Add(TenantOption);
        return root;
    }

    private static Command Simulate()
    {
        var from = new Option<string>("--from") { Description = "The citizen's number in E.164, e.g. +4915112345678.", Required = true };
        var name = new Option<string?>("--name") { Description = "The citizen's WhatsApp profile name." };
        var text = new Argument<string>("text") { Description = "What the citizen writes." };
        var command = new Command("simulate", "Play a citizen: the WhatsApp stand-in sends a signed webhook to the gateway.") { from, name, text };
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            using var http = new HttpClient { BaseAddress = settings.Simulator };
            using var response = await http.PostAsJsonAsync(
                "simulator/citizens/messages", new { from = parse.GetValue(from), text = parse.GetValue(text), name = parse.GetValue(name) }, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"The stand-in refused: {body}");
                return Refused;
            }
            using var json = JsonDocument.Parse(body);
            var gatewayStatus = json.RootElement.GetProperty("gatewayStatus").GetInt32();
            Console.WriteLine($"Sent {json.RootElement.GetProperty("whatsAppMessageId").GetString()}; the gateway answered HTTP {gatewayStatus}.");
            return gatewayStatus == 200 ? 0 : Refused;
        }));
        return command;
    }

    private static Command Sent()
    {
        var to = new Option<string?>("--to") { Description = "Only messages to this number (E.164) or BSUID." };
        var command = new Command("sent", "List what the WhatsApp stand-in received from the town (what citizens' phones would show).") { to };
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            using var http = new HttpClient { BaseAddress = settings.Simulator };
            var query = parse.GetValue(to) is { } recipient ? $"?to={Uri.EscapeDataString(recipient)}" : "";
            var messages = await http.GetFromJsonAsync<JsonElement>($"simulator/messages{query}", ct);
            foreach (var message in messages.EnumerateArray())
            {
                var recipientText = message.GetProperty("to").GetString() ?? message.GetProperty("recipient").GetString();
                Console.WriteLine($"{Local(message.GetProperty("acceptedAt").GetDateTimeOffset(), "yyyy-MM-dd HH:mm:ss")}  {recipientText}  {message.GetProperty("text").GetString()}");
            }
            return 0;
        }));
        return command;
    }

    private static Command Inbox()
    {
        var pageSize = new Option<int>("--page-size") { Description = "Conversations per page.", DefaultValueFactory = _ => 50 };
        var watch = new Option<bool>("--watch") { Description = "Then follow the inbox live (Ctrl+C ends)." };
        var command = new Command("inbox", "List the tenant's conversations, urgent first, then the most recently active.") { pageSize, watch };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var response = await client.ListConversationsAsync(
                new ListConversationsRequest { Parent = TenantId.ToResourceName(settings.Tenant), PageSize = parse.GetValue(pageSize) },
                headers, cancellationToken: ct);
            Console.WriteLine($"{"LAST MESSAGE",-17}  {"STATUS",-20}  {"CATEGORY",-26}  {"FROM",-28}  CONVERSATION");
            foreach (var c in response.Conversations)
            {
                var who = string.IsNullOrEmpty(c.DisplayName) ? c.PhoneNumber : $"{c.DisplayName} {c.PhoneNumber}";
                var category = c.Urgent ? $"DRINGEND {c.Category}" : c.Category;
                Console.WriteLine($"{Local(c.LastMessageTime.ToDateTimeOffset(), "yyyy-MM-dd HH:mm")}  {c.Status,-20}  {category,-26}  {who,-28}  {c.Name}");
                var due = c.DueTime is null ? "" : $"due {Local(c.DueTime.ToDateTimeOffset(), "ddd dd.MM. HH:mm")}: ";
                Console.WriteLine($"{"",19}{due}{c.LastMessagePreview}");
            }
            if (!parse.GetValue(watch))
            {
                return 0;
            }
            using var events = client.WatchInbox(new WatchInboxRequest { Parent = TenantId.ToResourceName(settings.Tenant) }, headers, cancellationToken: ct);
            try
            {
                while (await events.ResponseStream.MoveNext(ct))
                {
                    var e = events.ResponseStream.Current;
                    var what = e.Kind == StaffApi.V1.InboxEventKind.UrgentEscalation ? "DRINGEND" : e.Kind.ToString();
                    Console.WriteLine(e.Conversation is { } c
                        ? $"{Local(e.Time.ToDateTimeOffset(), "HH:mm:ss")}  {what,-16}  {c.Status,-20}  {c.Name}  {c.LastMessagePreview}"
                        : $"{Local(e.Time.ToDateTimeOffset(), "HH:mm:ss")}  {what} (reload the inbox)");
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
            {
            }
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}, as inbox lists it." };
        var pageToken = new Option<string>("--page-token") { Description = "An older page of the history, as the previous show printed it." };
        var command = new Command("show", "Show one conversation (and mark it read, also at WhatsApp): its recent history, or an older page.") { conversation, pageToken };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var result = await client.GetConversationAsync(
                new GetConversationRequest { Name = parse.GetValue(conversation), PageToken = parse.GetValue(pageToken) ?? "" },
                headers, cancellationToken: ct);
            if (string.IsNullOrEmpty(parse.GetValue(pageToken)) && (result.Summary.Unread || result.Summary.Status == StaffApi.V1.ConversationStatus.New))
            {
                // Shown to a staff member: read, also at WhatsApp (the citizen's blue ticks).
                result.Summary = await client.MarkReadAsync(new MarkReadRequest { Conversation = result.Summary.Name }, headers, cancellationToken: ct);
            }
            var username = string.IsNullOrEmpty(result.Summary.Username) ? "" : $" @{result.Summary.Username}";
            Console.WriteLine($"{result.Summary.DisplayName} {result.Summary.PhoneNumber}{username} ({result.Summary.Status})");
            foreach (var line in ConversationText.Lines(result, at => Local(at, "yyyy-MM-dd HH:mm")))
            {
                Console.WriteLine(line);
            }
            if (!string.IsNullOrEmpty(result.NextPageToken))
            {
                Console.WriteLine($"Older history: --page-token {result.NextPageToken}");
            }
            return 0;
        });
        return command;
    }

    private static Command Note()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var text = new Argument<string>("text") { Description = "The internal note (never sent to the citizen)." };
        var command = new Command("note", "Add an internal note to a conversation.") { conversation, text };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var note = await client.AddNoteAsync(
                new AddNoteRequest { Conversation = parse.GetValue(conversation), Text = parse.GetValue(text), RequestId = Guid.NewGuid().ToString("N") },
                headers, cancellationToken: ct);
            Console.WriteLine($"Note recorded at {Local(note.Time.ToDateTimeOffset(), "yyyy-MM-dd HH:mm")}.");
            return 0;
        });
        return command;
    }

    private static Command Assign()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var assignee = new Argument<string?>("assignee") { Description = "The staff id to assign to; omit to unassign.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("assign", "Assign a conversation to a staff member (or nobody).") { conversation, assignee };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var summary = await client.AssignAsync(new AssignRequest { Conversation = parse.GetValue(conversation), Assignee = parse.GetValue(assignee) ?? "" }, headers, cancellationToken: ct);
            Console.WriteLine(string.IsNullOrEmpty(summary.Assignee) ? $"{summary.Name}: unassigned." : $"{summary.Name}: assigned to {summary.Assignee}.");
            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var status = new Argument<string>("status") { Description = "open, waiting or resolved." };
        var command = new Command("status", "Set a conversation's status.") { conversation, status };
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            var value = parse.GetValue(status) switch
            {
                "open" => StaffApi.V1.ConversationStatus.Open,
                "waiting" => StaffApi.V1.ConversationStatus.WaitingForCitizen,
                "resolved" => StaffApi.V1.ConversationStatus.Resolved,
                var other => throw new ArgumentException($"'{other}' is not a status: open, waiting or resolved."),
            };
            var (client, headers, channel) = await StaffClientAsync(settings, parse.GetValue(StaffOption)!, ct);
            using (channel)
            {
                var summary = await client.SetStatusAsync(new SetStatusRequest { Conversation = parse.GetValue(conversation), Status = value }, headers, cancellationToken: ct);
                Console.WriteLine($"{summary.Name}: {summary.Status}.");
                return 0;
            }
        }));
        return command;
    }

    private static Command Snooze()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Until when (default: the start of the next working day)." };
        var command = new Command("snooze", "Snooze a conversation; it opens again at the time.") { conversation, until };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var request = new SnoozeRequest { Conversation = parse.GetValue(conversation) };
            if (parse.GetValue(until) is { } time)
            {
                request.SnoozeTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time);
            }
            var summary = await client.SnoozeAsync(request, headers, cancellationToken: ct);
            Console.WriteLine($"{summary.Name}: snoozed until {Local(summary.SnoozeTime.ToDateTimeOffset(), "ddd yyyy-MM-dd HH:mm")}.");
            return 0;
        });
        return command;
    }

    private static Command Category()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var category = new Argument<string>("category") { Description = "One of the tenant's categories, e.g. Spielplatz." };
        var command = new Command("category", "Set a conversation's category.") { conversation, category };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var summary = await client.SetCategoryAsync(new SetCategoryRequest { Conversation = parse.GetValue(conversation), Category = parse.GetValue(category) }, headers, cancellationToken: ct);
            Console.WriteLine($"{summary.Name}: {summary.Category}.");
            return 0;
        });
        return command;
    }

    private static Command Reply()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var text = new Argument<string>("text") { Description = "The reply, written as the administration (\"wir\")." };
        var command = new Command("reply", "Reply to a citizen in the administration's name.") { conversation, text };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var sent = await client.ReplyAsync(
                new ReplyRequest { Conversation = parse.GetValue(conversation), Text = parse.GetValue(text), RequestId = Guid.NewGuid().ToString("N") },
                headers, cancellationToken: ct);
            Console.WriteLine($"Reply {sent.Id} {sent.State}.");
            return 0;
        });
        return command;
    }

    private static readonly Option<string?> PhoneOption = new("--phone") { Description = "The citizen's number in international form (+49 …)." };
    private static readonly Option<string?> UserIdOption = new("--user-id") { Description = "The citizen's WhatsApp user id (BSUID, e.g. DE.1234…)." };
    private static readonly Option<string?> ConversationOption = new("--conversation") { Description = "tenants/{tenant}/conversations/{citizen}, as inbox lists it." };

    private static Command Export()
    {
        var output = new Option<string?>("--output") { Description = "Where to write the archive (default: the name the service gives, here)." };
        var command = new Command("export", "Export everything stored about one citizen (GDPR Art. 15) as a ZIP archive: JSON, a German report (HTML) and the media. Supervisors.")
        {
            PhoneOption, UserIdOption, ConversationOption, output,
        };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            using var call = client.ExportCitizen(new ExportCitizenRequest { Citizen = Selector(parse, settings) }, headers, cancellationToken: ct);
            string? path = parse.GetValue(output);
            FileStream? file = null;
            try
            {
                while (await call.ResponseStream.MoveNext(ct))
                {
                    var chunk = call.ResponseStream.Current;
                    file ??= File.Create(path ??= chunk.FileName);
                    await file.WriteAsync(chunk.Data.Memory, ct);
                }
            }
            finally
            {
                if (file is not null)
                {
                    await file.DisposeAsync();
                }
            }
            Console.WriteLine($"Written to {path} ({new FileInfo(path!).Length:N0} bytes): export.json, bericht.html, medien/.");
            return 0;
        }, StaffRoles.Supervisor);
        return command;
    }

    private static Command Erase()
    {
        var yes = new Option<bool>("--yes") { Description = "Confirm: the erasure cannot be undone." };
        var requestId = new Option<string?>("--request-id") { Description = "Repeat an interrupted erasure under the same id." };
        var command = new Command("erase", "Erase one citizen everywhere (GDPR Art. 17); cannot be undone. Supervisors.")
        {
            PhoneOption, UserIdOption, ConversationOption, yes, requestId,
        };
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            if (!parse.GetValue(yes))
            {
                Console.Error.WriteLine("Erasure cannot be undone: add --yes to confirm (export first if the citizen asked for their data).");
                return 1;
            }
            var (client, headers, channel) = await StaffClientAsync(settings, parse.GetValue(StaffOption)!, ct, StaffRoles.Supervisor);
            using (channel)
            {
                var id = parse.GetValue(requestId) ?? Guid.NewGuid().ToString("N");
                // Printed first: an interrupted erasure is repeated under the same id.
                Console.WriteLine($"Erasure request {id}");
                ErasureResult result;
                try
                {
                    result = await client.EraseCitizenAsync(new EraseCitizenRequest { Citizen = Selector(parse, settings), RequestId = id }, headers, cancellationToken: ct);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && ex.Trailers.GetValue(StaffApiMetadata.ErasureState) == "begun")
                {
                    Console.Error.WriteLine($"{ex.Status.Detail} Repeat with: --request-id {id}");
                    return Unfinished;
                }
                Console.WriteLine($"Erased ({result.Reference}): {result.Messages} messages, {result.HistoryPages} history pages, " +
                    $"{result.MediaFiles} media files, {result.Lists} list memberships, {result.Broadcasts} broadcast records, " +
                    $"{result.Identities} identities; {result.AuditEntries} audit entries now name only the erasure.");
                Console.WriteLine("Meta's contact book (number ↔ user id) is separate: see README, \"Data protection\".");
                return 0;
            }
        }));
        return command;
    }

    private static Command Retention()
    {
        var apply = new Option<bool>("--apply") { Description = "Delete what is due now (without: a dry run that deletes nothing)." };
        var command = new Command("retention", "The retention report for the data protection officer: what is due for deletion. Supervisors.") { apply };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var report = await client.RunRetentionAsync(
                new RunRetentionRequest { Parent = TenantId.ToResourceName(settings.Tenant), Apply = parse.GetValue(apply) }, headers, cancellationToken: ct);
            Console.WriteLine($"{(report.DryRun ? "Dry run" : "Applied")} as of {Local(report.AsOf.ToDateTimeOffset(), "yyyy-MM-dd HH:mm")}");
            Console.WriteLine($"{"CATEGORY",-28}  {"KEPT (DAYS)",11}  {"RESOLVED",8}  {"DUE",5}  NEXT DUE");
            foreach (var c in report.Categories)
            {
                var next = c.NextDueTime is null ? "" : $"{Local(c.NextDueTime.ToDateTimeOffset(), "yyyy-MM-dd")}";
                Console.WriteLine($"{c.Category,-28}  {(c.PeriodDays == 0 ? "for good" : c.PeriodDays.ToString(CultureInfo.InvariantCulture)),11}  {c.Resolved,8}  {c.Due,5}  {next}");
            }
            Console.WriteLine($"Audit entries past {(report.AuditPeriodDays == 0 ? "(kept for good)" : $"{report.AuditPeriodDays} days")}: {report.AuditEntriesDue}");
            Console.WriteLine($"Erased citizens a restored backup brought back: {report.ErasedCitizensRestored}");
            if (!report.DryRun)
            {
                Console.WriteLine($"Deleted: {report.ConversationsDeleted} conversations, {report.AuditEntriesDeleted} audit entries; erased again: {report.ErasedAgain}.");
            }
            return 0;
        }, StaffRoles.Supervisor);
        return command;
    }

    private static CitizenSelector Selector(ParseResult parse, CliSettings settings) => new()
    {
        Parent = TenantId.ToResourceName(settings.Tenant),
        PhoneNumber = parse.GetValue(PhoneOption) ?? "",
        UserId = parse.GetValue(UserIdOption) ?? "",
        Conversation = parse.GetValue(ConversationOption) ?? "",
    };

    private static Command Token()
    {
        var role = new Option<string>("--role") { Description = "agent, supervisor, admin or operator.", DefaultValueFactory = _ => StaffRoles.Agent };
        var hours = new Option<int>("--hours") { Description = "Lifetime in hours.", DefaultValueFactory = _ => 8 };
        var department = new Option<string?>("--department") { Description = "Department staff: only this department's requests (e.g. bauhof)." };
        var command = new Command("token", "Mint a development staff token (refused in Production).") { role, hours, department };
        command.SetAction(parse =>
        {
            if (DevelopmentTokenIssuer.IsProduction())
            {
                Console.Error.WriteLine("Development tokens are refused in Production: sign in with goldbach login.");
                return Refused;
            }
            var settings = Settings(parse);
            var issuer = new DevelopmentTokenIssuer(
                LocalDevelopment.StaffIssuer, LocalDevelopment.StaffAudience, LocalDevelopment.StaffSigningKey, TimeProvider.System);
            try
            {
                Console.WriteLine(issuer.Mint(parse.GetValue(StaffOption)!, parse.GetValue(role)!, settings.Tenant, TimeSpan.FromHours(parse.GetValue(hours)), parse.GetValue(department)));
                return 0;
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return command;
    }

    // The scaffold of every staff command: settings from flags and environment, a client with the staff member's token
    // (for the role the command needs), the channel closed afterwards, errors as RunAsync reports them.
    private static void OnStaffCall(
        Command command, Func<ParseResult, CliSettings, StaffService.StaffServiceClient, Metadata, CancellationToken, Task<int>> action,
        string role = StaffRoles.Agent) =>
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            var (client, headers, channel) = await StaffClientAsync(settings, parse.GetValue(StaffOption)!, ct, role);
            using (channel)
            {
                return await action(parse, settings, client, headers, ct);
            }
        }));

    private static async Task<(StaffService.StaffServiceClient Client, Metadata Headers, GrpcChannel Channel)> StaffClientAsync(
        CliSettings settings, string staffId, CancellationToken cancellationToken, string role = StaffRoles.Agent)
    {
        var headers = new Metadata { { "Authorization", $"Bearer {await settings.ResolveTokenAsync(staffId, role, cancellationToken)}" } };
        var channel = GrpcChannel.ForAddress(settings.Gateway);
        return (new StaffService.StaffServiceClient(channel), headers, channel);
    }

    // Flags first, then the environment, then the local system.
    private static CliSettings Settings(ParseResult parse)
    {
        var settings = CliSettings.FromEnvironment();
        return settings with
        {
            Gateway = parse.GetValue(GatewayOption) is { } gateway
                ? Uri.TryCreate(gateway, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                    ? url
                    : throw new ArgumentException($"--gateway '{gateway}' is not an http(s) address.")
                : settings.Gateway,
            Tenant = parse.GetValue(TenantOption) ?? settings.Tenant,
        };
    }

    // A time as staff read it: the town's, with its zone ("Mi 02.12. 08:00 MEZ"), whatever zone this machine is in.
    private static string Local(DateTimeOffset at, string format) =>
        $"{TownTime.Local(at).ToString(format, CultureInfo.CurrentCulture)} {TownTime.ZoneName(at)}";

    private static async Task<int> RunAsync(ParseResult parse, Func<CliSettings, Task<int>> action)
    {
        try
        {
            return await action(Settings(parse));
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable)
        {
            Console.Error.WriteLine($"The gateway could not be reached ({ex.Status.Detail}). Is the system running (see README)?");
            return Unreachable;
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"{ex.StatusCode}: {ex.Status.Detail}");
            return Refused;
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"The WhatsApp stand-in could not be reached ({ex.Message}). Is the system running (see README)?");
            return Unreachable;
        }
        catch (LoginException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return Refused;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

}
