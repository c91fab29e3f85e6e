using System.CommandLine;
using System.Globalization;
using GoldbachActors.StaffApi.V1;

namespace GoldbachActors.Cli;

/// <summary><c>request create|list|status</c>: requests (Anliegen) for the departments (see docs/requests.md).</summary>
public static partial class CliCommands
{
    private static readonly string[] RequestStatusNames = ["received", "in-progress", "done", "rejected", "duplicate"];

    private static Command Request()
    {
        var command = new Command("request", "Requests (Anliegen) for the departments: create one from a conversation, list them, move one on.")
        {
            RequestCreate(), RequestList(), RequestStatus(),
        };
        return command;
    }

    private static Command RequestCreate()
    {
        var conversation = new Argument<string>("conversation") { Description = "tenants/{tenant}/conversations/{citizen}." };
        var description = new Argument<string>("description") { Description = "What is to be done, as the department should read it." };
        var service = new Option<string?>("--service") { Description = "The service code (default: the one of the conversation's category)." };
        var noPlace = new Option<bool>("--no-place") { Description = "Do not take the location the citizen shared." };
        var noPhotos = new Option<bool>("--no-photos") { Description = "Do not attach the conversation's photos." };
        var address = new Option<string?>("--address") { Description = "The place as an address of the town's street list (e.g. \"Ringstraße 4\"), instead of the shared location." };
        var command = new Command("create", "Make a request from a conversation, with its shared location and photos.") { conversation, description, service, noPlace, noPhotos, address };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var created = await client.CreateRequestAsync(new CreateRequestRequest
            {
                Parent = $"tenants/{settings.Tenant}",
                Conversation = parse.GetValue(conversation),
                Description = parse.GetValue(description),
                ServiceCode = parse.GetValue(service) ?? "",
                PlaceFromConversation = !parse.GetValue(noPlace),
                PhotosFromConversation = !parse.GetValue(noPhotos),
                RequestId = Guid.NewGuid().ToString("N"),
                Address = parse.GetValue(address) ?? "",
            }, headers, cancellationToken: ct);
            Console.WriteLine(RequestLine(created));
            return 0;
        });
        return command;
    }

    private static Command RequestList()
    {
        var status = new Option<string[]>("--status") { Description = $"Only these: {string.Join(", ", RequestStatusNames)}.", AllowMultipleArgumentsPerToken = true };
        var service = new Option<string[]>("--service") { Description = "Only these service codes.", AllowMultipleArgumentsPerToken = true };
        var department = new Option<string?>("--department") { Description = "Only this department." };
        var overdue = new Option<bool>("--overdue") { Description = "Only those past their expected date." };
        var command = new Command("list", "List the tenant's requests, newest first.") { status, service, department, overdue };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var request = new ListRequestsRequest
            {
                Parent = $"tenants/{settings.Tenant}",
                Department = parse.GetValue(department) ?? "",
                Overdue = parse.GetValue(overdue),
            };
            request.Statuses.AddRange((parse.GetValue(status) ?? []).Select(ParseRequestStatus));
            request.ServiceCodes.AddRange(parse.GetValue(service) ?? []);
            var found = await client.ListRequestsAsync(request, headers, cancellationToken: ct);
            foreach (var r in found.Requests)
            {
                Console.WriteLine(RequestLine(r));
            }
            Console.WriteLine(found.Requests.Count == 1 ? "1 request." : $"{found.Requests.Count} requests.");
            return 0;
        });
        return command;
    }

    private static Command RequestStatus()
    {
        var id = new Argument<string>("id") { Description = "The request's number, e.g. 2026-0042." };
        var status = new Argument<string>("status") { Description = string.Join(", ", RequestStatusNames) + "." };
        var notes = new Option<string?>("--notes") { Description = "Why (shown in the public list; a rejection's reason goes to the citizen)." };
        var command = new Command("status", "Move a request on; done or rejected tells the citizen.") { id, status, notes };
        OnStaffCall(command, async (parse, settings, client, headers, ct) =>
        {
            var value = ParseRequestStatus(parse.GetValue(status)!);
            var changed = await client.UpdateRequestStatusAsync(new UpdateRequestStatusRequest
            {
                Name = $"tenants/{settings.Tenant}/requests/{parse.GetValue(id)}",
                Status = value,
                StatusNotes = parse.GetValue(notes) ?? "",
            }, headers, cancellationToken: ct);
            Console.WriteLine(RequestLine(changed));
            return 0;
        });
        return command;
    }

    private static StaffApi.V1.RequestStatus ParseRequestStatus(string name) => name switch
    {
        "received" => StaffApi.V1.RequestStatus.Received,
        "in-progress" => StaffApi.V1.RequestStatus.InProgress,
        "done" => StaffApi.V1.RequestStatus.Done,
        "rejected" => StaffApi.V1.RequestStatus.Rejected,
        "duplicate" => StaffApi.V1.RequestStatus.Duplicate,
        _ => throw new ArgumentException($"'{name}' is not a request status: {string.Join(", ", RequestStatusNames)}."),
    };

    /// <summary>One request in a line: number, status, service, department, expected date, place, photos.</summary>
    public static string RequestLine(ServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = request.Status switch
        {
            StaffApi.V1.RequestStatus.InProgress => "in-progress",
            var other => other.ToString().ToLowerInvariant(),
        };
        var expected = request.ExpectedTime is { } due ? " bis " + Local(due.ToDateTimeOffset(), "dd.MM.yyyy HH:mm") : "";
        var place = request.Place is { } p
            ? " @ " + (string.IsNullOrEmpty(p.Address) ? string.Create(CultureInfo.InvariantCulture, $"{p.Latitude:F5}, {p.Longitude:F5}") : p.Address)
            : "";
        var photos = request.Photos.Count > 0 ? $", {request.Photos.Count} Foto(s)" : "";
        return $"{request.Id}  {status}{(request.Overdue ? " (überfällig)" : "")}  {request.ServiceName} → {request.DepartmentName}{expected}{place}{photos}  {request.Description}";
    }
}
