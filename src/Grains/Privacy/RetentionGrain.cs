using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.Grains.Privacy;

/// <summary>
/// The tenant's retention rules at work (see <see cref="RetentionRules"/>): once a day a durable reminder erases the
/// ended conversations whose period ran out, each by its own category (each citizen grain checks again, so a
/// message since keeps it; a citizen whose every conversation is due goes as a whole) and
/// deletes audit entries past theirs. It also erases again every citizen a restored backup brought back after they
/// were erased (their tombstone is newer than anything they wrote). Idempotent: a second run finds nothing more to
/// delete.
/// </summary>
public sealed partial class RetentionGrain(
    TenantPolicies policies,
    IAuditLog audit,
    IErasureTombstones tombstones,
    GoldbachMetrics metrics,
    Microsoft.Extensions.Options.IOptions<Contracts.Configuration.GoldbachOptions> options,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time,
    ILogger<RetentionGrain> logger) : Grain, IRetentionGrain, IRemindable
{
    private const string Reminder = "retention";
    private const string RestoreActor = "restore";
    private const int PageSize = 1000;

    private string Tenant => this.GetPrimaryKeyString();

    public async Task EnsureScheduledAsync()
    {
        if (await this.GetReminder(Reminder) is null)
        {
            var schedules = options.Value.Schedules;
            await this.RegisterOrUpdateReminder(Reminder, schedules.RetentionFirstRun, schedules.RetentionPeriod);
        }
    }

    public Task<RetentionReport> PreviewAsync() => RunAsync(apply: false);

    public Task<RetentionReport> ApplyAsync() => RunAsync(apply: true);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Reminder)
        {
            await RunAsync(apply: true);
        }
    }

    private async Task<RetentionReport> RunAsync(bool apply)
    {
        var policy = policies.Find(Tenant)
            ?? throw new InvalidOperationException($"No tenant is configured for phone_number_id {Tenant}.");
        var rules = policy.Retention;
        var now = time.GetUtcNow();
        var citizens = await ConversationsAsync();
        var restored = await RestoredAsync(citizens, policy, now);
        var items = rules.Assess(citizens, now);
        var deleted = 0;
        var erasedAgain = 0;
        if (apply)
        {
            foreach (var (citizen, erasedAt) in restored)
            {
                var erasure = new CitizenErasure($"restore-{now:yyyyMMdd}-{Guid.NewGuid():N}", RestoreActor, ErasureReason.Restored, erasedAt);
                erasedAgain += (await GrainFactory.GetGrain<ICitizenGrain>(citizen).EraseAsync(erasure)).Identities > 0 ? 1 : 0;
            }
            foreach (var summary in citizens.Where(s => rules.DueAt(s) <= now && !restored.ContainsKey(s.CitizenKey)))
            {
                var erasure = $"retention-{now:yyyyMMdd}-{Guid.NewGuid():N}";
                if (await GrainFactory.GetGrain<ICitizenGrain>(summary.CitizenKey).ExpireAsync(erasure) is { } report)
                {
                    deleted += report.Conversations;
                }
            }
        }
        var auditCutoff = rules.AuditCutoff(now);
        var auditDue = auditCutoff is { } cutoff ? await audit.ExpireAsync(Tenant, cutoff, apply, CancellationToken.None) : 0;
        if (apply)
        {
            // Tombstones are no personal data beyond a keyed hash; they go once Meta can no longer redeliver.
            await tombstones.ExpireAsync(Tenant, now);
            if (auditDue > 0)
            {
                metrics.RetentionDeleted(GoldbachMetrics.RetentionAuditEntry, null, auditDue);
            }
            LogApplied(deleted, auditDue, erasedAgain);
        }
        return new RetentionReport(now, !apply, items, auditDue, policy.Options.Retention.AuditEntryDays is > 0 and var days ? days : null)
        {
            ConversationsDeleted = deleted,
            AuditEntriesDeleted = apply ? auditDue : 0,
            ErasedCitizensRestored = restored.Count,
            ErasedAgain = erasedAgain,
        };
    }

    // Citizens with a tombstone newer than anything they wrote or joined: a restored backup brought back their past.
    // (A citizen who wrote since started afresh; the citizen grain checks that again before it erases.) Messages are
    // compared in WhatsApp's whole seconds, memberships by the grain clock's exact time.
    private async Task<Dictionary<string, DateTimeOffset>> RestoredAsync(List<ConversationSummary> citizens, TenantPolicy policy, DateTimeOffset now)
    {
        var lastMessage = citizens.ToDictionary(c => c.CitizenKey, c => c.LastMessageAt, StringComparer.Ordinal);
        var lastJoined = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var listId in policy.Options.Lists.Keys)
        {
            foreach (var member in await GrainFactory.GetGrain<IBroadcastListGrain>(ListIds.GrainKey(Tenant, listId)).GetMembersAsync())
            {
                lastJoined[member.CitizenKey] = lastJoined.TryGetValue(member.CitizenKey, out var at) && at > member.Since ? at : member.Since;
            }
        }
        var erased = await tombstones.ErasedAmongAsync(Tenant, lastMessage.Keys.Union(lastJoined.Keys).Select(CitizenKey.ParseGrainKey), now);
        return erased
            .Where(e => (!lastMessage.TryGetValue(e.Key, out var written) || CitizenState.WrittenBefore(written, e.Value))
                && (!lastJoined.TryGetValue(e.Key, out var joined) || joined < e.Value))
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    // Every citizen: an open conversation may follow earlier ones that are due.
    private async Task<List<ConversationSummary>> ConversationsAsync()
    {
        var inbox = GrainFactory.GetGrain<ITenantInboxGrain>(Tenant);
        var filter = new InboxFilter();
        var result = new List<ConversationSummary>();
        string? token = null;
        do
        {
            var page = await inbox.ListAsync(PageSize, token, null, filter);
            result.AddRange(page.Conversations);
            token = page.NextPageToken;
        }
        while (token is not null);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention: {Conversations} ended conversations and {AuditEntries} audit entries deleted, {ErasedAgain} erased citizens a restored backup brought back erased again")]
    private partial void LogApplied(int conversations, int auditEntries, int erasedAgain);
}
