using System.Diagnostics;
using GoldbachActors.Audit;
using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Diagnostics;
using GoldbachActors.Contracts.Privacy;
using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.Domain;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;
using GoldbachActors.Grains.Privacy;
using GoldbachActors.Grains.Telemetry;
using GoldbachActors.WhatsApp.GraphApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Grains.Citizens;

/// <summary>Identity changes: this citizen handing over to the identity it became, and folding in the identities it was.</summary>
public sealed partial class CitizenGrain
{
    public async Task<CitizenHandover> HandOverToAsync(string canonicalGrainKey)
    {
        var keeper = CitizenKey.ParseGrainKey(canonicalGrainKey);
        if (keeper.Tenant != _key.Tenant || keeper == _key)
        {
            throw new ArgumentException("A citizen's identities are handed over within one tenant, to another key.", nameof(canonicalGrainKey));
        }
        if ((state.State.ForwardTo is { } existing && existing != canonicalGrainKey) || state.State.IsBlank)
        {
            // Already another citizen's identity, or never used: nothing of its own to hand over.
            return new CitizenHandover([], [], false, null, null);
        }
        if (state.State.ForwardTo is null)
        {
            state.State.ForwardTo = canonicalGrainKey;
            state.State.Revision++;
            await PersistAsync();
        }
        // The whole history moves: archived pages first (oldest), then the hot state.
        var handover = state.State.ToHandover();
        var inbound = new List<InboundMessage>();
        var outbound = new List<OutboundMessage>();
        for (var number = 1; number <= state.State.ArchivedPages; number++)
        {
            if (await stores.History.ReadPageAsync(_key, number, CancellationToken.None) is { } page)
            {
                inbound.AddRange(page.Inbound);
                outbound.AddRange(page.Outbound);
            }
        }
        return inbound.Count + outbound.Count == 0
            ? handover
            : handover with { Inbound = [.. inbound, .. handover.Inbound], Outbound = [.. outbound, .. handover.Outbound] };
    }

    public async Task CompleteHandOverAsync()
    {
        // An identity staff added to a list holds no conversation, only memberships: those must go too.
        if (state.State.ForwardTo is not { } keeper
            || (!state.State.Exists && state.State.Outbound.Count == 0 && state.State.Memberships.Count == 0 && state.State.ConsentHistory.Count == 0))
        {
            return;
        }
        await stores.History.DeleteAllAsync(_key, CancellationToken.None);
        var lists = state.State.Memberships.Select(m => m.ListId).ToList();
        state.State.BecomeAlias(keeper);
        await PersistAsync();
        // The keeper is in these lists now; this identity leaves them.
        await SyncListsAsync(lists);
        _dispatchTimer?.Dispose();
        _mediaTimer?.Dispose();
        await GrainFactory.GetGrain<ITenantInboxGrain>(_key.Tenant).RemoveAsync(_key.GrainKey);
    }

    // WhatsApp reports a new number (user_changed_number) or a new user id (user_changed_user_id): messages under
    // the new identity must land in this conversation, and anything already collected there is folded in.
    private void ApplyIdentityChange(SystemNotice notice)
    {
        if (notice.NewWaId is { } waId && CitizenKey.IsValidIdentity(waId))
        {
            state.State.PhoneNumber = "+" + waId;
            AddAlias(waId);
        }
        if (notice.NewUserId is { } userId && CitizenKey.IsValidIdentity(userId))
        {
            AddAlias(userId);
        }

        void AddAlias(string identity)
        {
            var alias = CitizenKey.Create(_key.Tenant, identity).GrainKey;
            if (alias != _key.GrainKey && !state.State.PendingAliases.Contains(alias))
            {
                state.State.PendingAliases.Add(alias);
            }
        }
    }

    private async Task FoldPendingAliasesAsync()
    {
        while (state.State.PendingAliases.Count > 0)
        {
            var aliasKey = state.State.PendingAliases[0];
            var alias = GrainFactory.GetGrain<ICitizenGrain>(aliasKey);
            var handover = await alias.HandOverToAsync(_key.GrainKey);
            state.State.Absorb(handover, time.GetUtcNow());
            if (handover.Memberships.Length > 0 || handover.Outbound.Any(m => m.BroadcastId is not null))
            {
                state.State.FoldedKeys.Add(aliasKey);
            }
            if (!state.State.FormerKeys.Contains(aliasKey))
            {
                state.State.FormerKeys.Add(aliasKey);
            }
            state.State.PendingAliases.RemoveAt(0);
            await PersistAsync();
            await alias.CompleteHandOverAsync();
            await SyncListsAsync(handover.Memberships.Select(m => m.ListId));
            diagnostics.LogIdentityFolded(handover.Inbound.Length);
        }
    }
}
