using System.Collections.Immutable;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace GoldbachActors.Grains.Requests;

/// <summary>
/// A tenant's requests (Anliegen), all in memory and written through to <see cref="IServiceRequestStore"/> before a
/// call returns. Not reentrant: numbers are handed out one at a time.
/// </summary>
public sealed class ServiceRequestsGrain(
    IServiceRequestStore store, TenantPolicies policies, [FromKeyedServices(GoldbachClock.Key)] TimeProvider time)
    : Grain, IServiceRequestsGrain
{
    private readonly Dictionary<string, ServiceRequest> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byClientRequestId = new(StringComparer.Ordinal);
    private string _tenant = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = this.GetPrimaryKeyString();
        foreach (var (request, clientRequestId) in await store.LoadAsync(_tenant, cancellationToken))
        {
            _byId[request.Id] = request;
            if (clientRequestId is not null)
            {
                _byClientRequestId[clientRequestId] = request.Id;
            }
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
        };
        await store.SaveAsync(created, request.RequestId, CancellationToken.None);
        _byId[created.Id] = created;
        if (request.RequestId is { } id)
        {
            _byClientRequestId[id] = created.Id;
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

    private string? ClientRequestIdOf(string id) => _byClientRequestId.FirstOrDefault(c => c.Value == id).Key;

    private TenantPolicy Policy() =>
        policies.Find(_tenant) ?? throw new InvalidOperationException($"No tenant is configured for phone_number_id {_tenant}.");
}
