using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Requests;

/// <summary>
/// A tenant's requests (Anliegen), all in memory and written through to <see cref="IServiceRequestStore"/> before a
/// call returns. Not reentrant: numbers are handed out one at a time.
/// A new request's mail to its department goes out from a timer once the request is stored (at least once, with a
/// stable Message-ID); failed attempts are retried with a doubling wait, and a durable reminder resumes them after a
/// deactivation or a restart while any mail is pending.
/// </summary>
public sealed class ServiceRequestsGrain(
    IServiceRequestStore store,
    TenantPolicies policies,
    IDepartmentMailer mailer,
    IOptions<GoldbachOptions> options,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time)
    : Grain, IServiceRequestsGrain, IRemindable
{
    private const string MailReminder = "department-mail";
    private static readonly TimeSpan LongestMailWait = TimeSpan.FromHours(1);

    private readonly Dictionary<string, ServiceRequest> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byClientRequestId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientRequestIdOf = new(StringComparer.Ordinal);
    private string _tenant = "";
    private IGrainTimer? _mailTimer;
    private bool _mailReminderRegistered;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = this.GetPrimaryKeyString();
        foreach (var (request, clientRequestId) in await store.LoadAsync(_tenant, cancellationToken))
        {
            _byId[request.Id] = request;
            if (clientRequestId is not null)
            {
                _byClientRequestId[clientRequestId] = request.Id;
                _clientRequestIdOf[request.Id] = clientRequestId;
            }
        }
        if (_byId.Values.Any(r => r.DepartmentMailPending))
        {
            ScheduleMail(TimeSpan.Zero);
        }
    }

    public async Task<ServiceRequest> CreateAsync(NewServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId is { } clientId && _byClientRequestId.TryGetValue(clientId, out var known))
        {
            return _byId[known];
        }
        var policy = Policy();
        var service = ServiceRequestRules.Validate(policy.Options, request);
        var now = time.GetUtcNow();
        var created = new ServiceRequest
        {
            Id = ServiceRequestRules.NextId(_byId.Keys, now),
            Tenant = _tenant,
            ServiceCode = request.ServiceCode,
            Description = request.Description.Trim(),
            PublicDescription = ServiceRequestRules.PublicText(request.Description, request.NamesToScrub.IsDefault ? [] : request.NamesToScrub),
            Place = request.Place,
            Photos = request.Photos.IsDefault ? [] : request.Photos,
            Department = service.Department,
            Status = ServiceRequestStatus.Received,
            RequestedAt = now,
            UpdatedAt = now,
            ExpectedAt = ServiceRequestRules.ExpectedAt(ServiceRequestRules.WorkingWeek(policy.Options, policy.Calendar), service, now),
            CitizenKey = request.CitizenKey,
            CreatedBy = request.CreatedBy,
            Contact = request.Contact,
            Version = 1,
            DepartmentMailPending = mailer.Options.Enabled
                && !string.IsNullOrWhiteSpace(ServiceCatalog.Departments(policy.Options).GetValueOrDefault(service.Department)?.Email),
        };
        if (created.DepartmentMailPending)
        {
            // Registered before the request is stored: a crash after storing still leaves the reminder to send it.
            await EnsureMailReminderAsync();
        }
        await store.SaveAsync(created, request.RequestId, CancellationToken.None);
        _byId[created.Id] = created;
        if (request.RequestId is { } id)
        {
            _byClientRequestId[id] = created.Id;
            _clientRequestIdOf[created.Id] = id;
        }
        if (created.DepartmentMailPending)
        {
            ScheduleMail(TimeSpan.Zero);
        }
        return created;
    }

    public Task<ServiceRequest?> GetAsync(string id) => Task.FromResult(_byId.GetValueOrDefault(id ?? ""));

    public Task<ImmutableArray<ServiceRequest>> ListAsync(ServiceRequestFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var now = time.GetUtcNow();
        return Task.FromResult(_byId.Values
            .Where(r => ServiceRequestRules.Matches(r, filter, now))
            .OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal)
            .Take(Math.Clamp(filter.Limit, 1, 10_000))
            .ToImmutableArray());
    }

    public async Task<ServiceRequest> SetStatusAsync(string id, ServiceRequestStatus status, string? notes, string staffId, long version)
    {
        var changed = await ChangeAsync(id, version, r => r with { Status = status, StatusNotes = string.IsNullOrWhiteSpace(notes) ? r.StatusNotes : notes.Trim() },
            // Before the change is stored: a notice that cannot be queued leaves the status as it was, and the retry
            // finds the notice already queued (once per request and status).
            async r =>
            {
                if (r.CitizenKey is { } citizen && r.Status is ServiceRequestStatus.Done or ServiceRequestStatus.Rejected)
                {
                    var service = ServiceCatalog.Services(Policy().Options).GetValueOrDefault(r.ServiceCode)?.Name ?? r.ServiceCode;
                    await GrainFactory.GetGrain<ICitizenGrain>(citizen).NotifyRequestStatusAsync(new RequestStatusNotice(r.Id, service, r.Status, r.StatusNotes));
                }
            });
        return changed;
    }

    public Task<ServiceRequest> PublishAsync(string id, string? publicDescription, ImmutableArray<string> releasedPhotos, bool? privatePlace, string staffId) =>
        ChangeAsync(id, 0, r =>
        {
            if (publicDescription is { Length: > ServiceRequestRules.MaxDescriptionLength })
            {
                throw new ArgumentException($"Der öffentliche Text ist länger als {ServiceRequestRules.MaxDescriptionLength} Zeichen.", nameof(publicDescription));
            }
            var released = releasedPhotos.IsDefault ? [] : releasedPhotos;
            return r with
            {
                PublicDescription = string.IsNullOrWhiteSpace(publicDescription) ? r.PublicDescription : publicDescription.Trim(),
                Photos = [.. r.Photos.Select(p => p with { Released = p.Released || released.Contains(p.MessageId) })],
                Place = privatePlace is { } isPrivate && r.Place is { } place ? place with { Private = isPrivate } : r.Place,
            };
        });

    public async Task<int> ForgetCitizenAsync(string citizenKey)
    {
        var now = time.GetUtcNow();
        var theirs = _byId.Values.Where(r => r.CitizenKey == citizenKey).ToList();
        foreach (var request in theirs)
        {
            var anonymised = ServiceRequestRules.Anonymise(request, now);
            await store.SaveAsync(anonymised, ClientRequestIdOf(request.Id), CancellationToken.None);
            _byId[request.Id] = anonymised;
        }
        return theirs.Count;
    }

    private async Task<ServiceRequest> ChangeAsync(string id, long version, Func<ServiceRequest, ServiceRequest> change, Func<ServiceRequest, Task>? beforeStoring = null)
    {
        if (!_byId.TryGetValue(id ?? "", out var current))
        {
            throw new KeyNotFoundException($"Das Anliegen {id} gibt es nicht.");
        }
        if (version != 0 && version != current.Version)
        {
            throw new InvalidOperationException($"Das Anliegen {id} wurde inzwischen geändert (Version {current.Version}).");
        }
        var changed = change(current) with { UpdatedAt = time.GetUtcNow(), Version = current.Version + 1 };
        if (beforeStoring is not null)
        {
            await beforeStoring(changed);
        }
        await store.SaveAsync(changed, ClientRequestIdOf(current.Id), CancellationToken.None);
        _byId[id!] = changed;
        return changed;
    }

    private string? ClientRequestIdOf(string id) => _clientRequestIdOf.GetValueOrDefault(id);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == MailReminder)
        {
            await SendPendingMailAsync(CancellationToken.None);
        }
    }

    private void ScheduleMail(TimeSpan due)
    {
        if (_mailTimer is null)
        {
            _mailTimer = this.RegisterGrainTimer(SendPendingMailAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        }
        else
        {
            _mailTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task EnsureMailReminderAsync()
    {
        if (_mailReminderRegistered)
        {
            return;
        }
        var period = mailer.Options.RetryAfter > options.Value.Schedules.MinimumReminderPeriod
            ? mailer.Options.RetryAfter
            : options.Value.Schedules.MinimumReminderPeriod;
        await this.RegisterOrUpdateReminder(MailReminder, period, period);
        _mailReminderRegistered = true;
    }

    // Each pending mail in turn (oldest first). A refusal for good ends that mail's attempts with the reason for staff;
    // a failure that may pass (the relay is down) stops the round and waits, doubling each time up to an hour.
    private async Task SendPendingMailAsync(CancellationToken cancellationToken)
    {
        var policy = policies.Find(_tenant);
        TimeSpan? retry = null;
        foreach (var request in _byId.Values.Where(r => r.DepartmentMailPending).OrderBy(r => r.Id, StringComparer.Ordinal).ToList())
        {
            var department = policy is null ? null : ServiceCatalog.Departments(policy.Options).GetValueOrDefault(request.Department);
            if (policy is null || string.IsNullOrWhiteSpace(department?.Email) || !mailer.Options.Enabled)
            {
                await SaveMailStateAsync(request with { DepartmentMailPending = false, DepartmentMailError = "Keine Mailadresse der Abteilung eingerichtet." });
                continue;
            }
            var serviceName = ServiceCatalog.Services(policy.Options).GetValueOrDefault(request.ServiceCode)?.Name ?? request.ServiceCode;
            var (subject, body) = DepartmentMailText.For(request, serviceName, department.Name, policy.Options.Name, mailer.Options.InboxUrl);
            var result = await mailer.SendAsync(department.Email, department.Name, subject, body, $"anliegen-{request.Id}.{_tenant}@goldbach-actors", cancellationToken);
            var attempts = request.DepartmentMailAttempts + 1;
            await SaveMailStateAsync(result.Sent
                ? request with { DepartmentMailPending = false, DepartmentNotifiedAt = time.GetUtcNow(), DepartmentMailError = null, DepartmentMailAttempts = attempts }
                : request with { DepartmentMailPending = !result.Permanent, DepartmentMailError = result.Error, DepartmentMailAttempts = attempts });
            if (!result.Sent && !result.Permanent)
            {
                var wait = mailer.Options.RetryAfter * Math.Pow(2, Math.Min(attempts - 1, 16));
                retry = wait < LongestMailWait ? wait : LongestMailWait;
                break;
            }
        }
        if (retry is { } due)
        {
            ScheduleMail(due);
        }
        else if (await this.GetReminder(MailReminder, CancellationToken.None) is { } reminder)
        {
            await this.UnregisterReminder(reminder, CancellationToken.None);
            _mailReminderRegistered = false;
        }
    }

    // The mail's state changes on the request as it is now (a status may have moved on meanwhile), without a new version.
    private async Task SaveMailStateAsync(ServiceRequest mailed)
    {
        var current = _byId.GetValueOrDefault(mailed.Id) ?? mailed;
        var updated = current with
        {
            DepartmentMailPending = mailed.DepartmentMailPending,
            DepartmentNotifiedAt = mailed.DepartmentNotifiedAt,
            DepartmentMailError = mailed.DepartmentMailError,
            DepartmentMailAttempts = mailed.DepartmentMailAttempts,
        };
        await store.SaveAsync(updated, ClientRequestIdOf(updated.Id), CancellationToken.None);
        _byId[updated.Id] = updated;
    }

    private TenantPolicy Policy() =>
        policies.Find(_tenant) ?? throw new InvalidOperationException($"No tenant is configured for phone_number_id {_tenant}.");
}
