using System.Diagnostics;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;
using GoldbachActors.Grains.Outbound;
using GoldbachActors.Grains.Privacy;
using GoldbachActors.Grains.Telemetry;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// One citizen: records their messages exactly once, acknowledges a new conversation once, sends the outbox, keeps
/// delivery states, stores their media, and keeps one conversation when WhatsApp changes their identity. Every change
/// is written to storage before the call returns, so what the gateway acknowledges to Meta is durable.
/// </summary>
public sealed partial class CitizenGrain(
    [PersistentState("citizen", StorageNames.Citizens)] IPersistentState<CitizenState> state,
    OutboundChannel channel,
    CitizenStores stores,
    TenantPolicies policies,
    [FromKeyedServices(GoldbachClock.Key)] TimeProvider time,
    CitizenDiagnostics diagnostics) : Grain, ICitizenGrain, IRemindable
{
    private const int MaxMediaAttempts = 5;

    private CitizenKey _key;
    private IGrainTimer? _dispatchTimer;
    private IGrainTimer? _mediaTimer;
    private const string SnoozeReminder = "snooze";
    // The per-citizen reminder of earlier versions (now the outbox registry's work; see ReleaseLegacyOutboxReminderAsync).
    private const string OutboxReminder = "outbox";
    // How far ahead a send slot may be reserved, and how early the timer wakes before it (the "sending" write).
    private static readonly TimeSpan MaxThroughputWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SlotLead = TimeSpan.FromMilliseconds(600);
    // A send at most this late still uses its slot: slots run 4 % under the limit (see ThroughputGrain), which leaves
    // 40 ms at 80/s for this lateness and the network's jitter together before any one second holds more than the limit.
    // (10 ms missed more slots and drew a 130429 all the same: see docs/benchmarks.md.)
    private static readonly TimeSpan SlotTolerance = TimeSpan.FromMilliseconds(30);

    // The send slot this activation reserved for its next message, if any (lost with the activation: a wasted slot).
    private DateTimeOffset? _slot;

    private DateTimeOffset _activatedAt;

    // Meta's typing indicator lasts 25 seconds; while staff keep typing it is renewed at most this often.
    private static readonly TimeSpan TypingIndicatorInterval = TimeSpan.FromSeconds(20);

    // When this activation last showed the typing indicator (memory only: a new activation may show it once more).
    private DateTimeOffset? _typingShownAt;

    // The outbound message this activation marked "sending" but has not handed to the Graph API yet (it waits for a
    // send slot): no grace period applies to it.
    private string? _notYetHandedOver;

    // The outbound messages this activation handed to the Graph API (an ambiguous outcome leaves one "sending").
    // (Created on the first send: an idle citizen's activation holds none; see bench/run.sh memory.)
    private HashSet<string>? _handedOver;
    private static readonly TimeSpan ClockAllowance = TimeSpan.FromSeconds(1);

    // The trace of the call that queued each message (a webhook, a staff reply), so that its sending joins that trace.
    // Memory only: after a restart a message is sent in a trace of its own.
    private readonly Dictionary<string, ActivityContext> _queuedBy = [];

    // Whether this activation registered the citizen in the outbox registry (see EnsureOutboxReminderAsync).
    private bool _outboxRegistered;

    // Whether the tenant's inbox is known to hold this activation's newest summary. False after activation: the
    // previous activation may have stored a change and died before the inbox did.
    private bool _inboxCurrent;

    // What this activation last gave the inbox; a change the inbox does not show (a wamid recorded, a delivery
    // state) costs no index write.
    private ConversationSummary? _published;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = CitizenKey.ParseGrainKey(this.GetPrimaryKeyString());
        _activatedAt = time.GetUtcNow();
        await WakeIfSnoozeOverAsync();
        ResumeBackgroundWork();
    }

    private TenantPolicy RequirePolicy() =>
        policies.Find(_key.Tenant)
        ?? throw new InvalidOperationException(
            $"No tenant is configured for phone_number_id {_key.Tenant}: add it under Goldbach:Tenants.");

    private void RequireConversation()
    {
        if (!state.State.Exists)
        {
            throw new KeyNotFoundException("This citizen has never written; there is no conversation to change.");
        }
    }

    // Below supervisor, staff work the citizens' section only: a staff number's conversation, consent and lists are the
    // supervisors'. A number that never wrote is known as a staff number from the tenant's configuration. Checked here,
    // on the state the change applies to, so the caller needs no read before it and the check cannot be stale.
    private void RequireMayWork(StaffActor by)
    {
        ArgumentNullException.ThrowIfNull(by);
        RequireStaffId(by.StaffId);
        if (by.WorksStaffSection)
        {
            return;
        }
        var number = state.State.PhoneNumber ?? (_key.Identity.All(char.IsAsciiDigit) ? "+" + _key.Identity : null);
        if (state.State.Section == InboxSection.Staff || RequirePolicy().IsStaff(_key, number))
        {
            throw new UnauthorizedAccessException("The staff coordination section is for supervisors.");
        }
    }

    private static void RequireStaffId(string staffId)
    {
        if (string.IsNullOrWhiteSpace(staffId) || staffId == ConversationEvent.SystemActor)
        {
            throw new ArgumentException("A change by staff names the staff member.", nameof(staffId));
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ErasureReminder)
        {
            await ResumeErasureAsync();
            return;
        }
        if (reminderName == OutboxReminder)
        {
            ResumeBackgroundWork();
            await ReleaseLegacyOutboxReminderAsync();
            return;
        }
        if (reminderName != SnoozeReminder)
        {
            return;
        }
        await WakeIfSnoozeOverAsync();
        if (state.State.Status != ConversationStatus.Snoozed && await this.GetReminder(SnoozeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task PersistAsync()
    {
        await ArchiveBeforeWriteAsync();
        try
        {
            if (state.State.IsOversized)
            {
                throw new InvalidOperationException(
                    "The citizen's history cannot be archived (history storage?) and the state is full: the change is refused and comes again.");
            }
            await state.WriteStateAsync();
            ReportOutbox();
        }
        catch
        {
            // The in-memory state now holds a change that storage does not: drop this activation so that the next
            // call reloads what storage really has (and the caller's retry applies the change again).
            DeactivateOnIdle();
            throw;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        diagnostics.Metrics.Outbox(_key.GrainKey, 0, null);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task PublishSummaryAsync()
    {
        _inboxCurrent = false;
        var summary = state.State.ToSummary(_key);
        if (state.State.Exists && (_published is null || _published != summary with { Revision = _published.Revision }))
        {
            await GrainFactory.GetGrain<ITenantInboxGrain>(_key.Tenant).UpsertAsync(summary);
            _published = summary;
        }
        _inboxCurrent = true;
    }

    private Task EnsureInboxCurrentAsync() => _inboxCurrent ? Task.CompletedTask : PublishSummaryAsync();









}
