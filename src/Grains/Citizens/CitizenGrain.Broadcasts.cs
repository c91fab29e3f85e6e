using GoldbachActors.Contracts;
using GoldbachActors.Contracts.Configuration;
using GoldbachActors.Grains.Domain;
using Microsoft.Extensions.Logging;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// The citizen's broadcast lists: consent by keyword, by staff or by WhatsApp's preference webhook, recorded here
/// (the consent history is the citizen's) and passed on to the list grains; and the citizen's part of each broadcast,
/// sent through the same outbox as everything else.
/// </summary>
public sealed partial class CitizenGrain
{
    private const int MaxConsentNoteLength = 500;

    // What this activation last told each broadcast about this citizen: a report only when it changes.
    private readonly Dictionary<string, RecipientState> _reportedToBroadcast = [];

    public async Task<ListMembership> JoinListAsync(ListJoin join)
    {
        ArgumentNullException.ThrowIfNull(join);
        RequireMayWork(join.By);
        var policy = RequirePolicy();
        var list = RequireList(policy, join.ListId);
        if (!list.EffectiveLanguages.Contains(join.Language))
        {
            throw new ArgumentException(
                $"The list '{join.ListId}' is sent in {string.Join(", ", list.EffectiveLanguages)}, not in '{join.Language}'.", nameof(join));
        }
        if (string.IsNullOrWhiteSpace(join.Note) || join.Note.Length > MaxConsentNoteLength)
        {
            throw new ArgumentException(
                $"Say how the citizen gave consent (1 to {MaxConsentNoteLength} characters), e.g. \"am Telefon gebeten\".", nameof(join));
        }
        var now = time.GetUtcNow();
        if (state.State.PhoneNumber is null && !_key.IsBusinessScopedUserId)
        {
            state.State.PhoneNumber = "+" + _key.Identity;
        }
        if (state.State.Join(new ConsentRecord(join.ListId, ConsentAction.Joined, now, ConsentChannel.Staff, join.StaffId, join.Language, join.Note)))
        {
            if (state.State.IsWindowOpen(now))
            {
                state.State.QueueListConfirmation(ListTexts.JoinedText(list, policy.Options.Name, join.Language), now);
            }
            await PersistAsync();
            diagnostics.Consent(join.ListId, ConsentAction.Joined, ConsentChannel.Staff);
        }
        await SyncListsAsync([join.ListId]);
        await EnsureOutboxReminderAsync();
        ResumeBackgroundWork();
        return state.State.MembershipOf(join.ListId)!;
    }

    public async Task<bool> LeaveListAsync(string listId, StaffActor by)
    {
        RequireMayWork(by);
        var policy = RequirePolicy();
        var list = RequireList(policy, listId);
        var now = time.GetUtcNow();
        var language = state.State.MembershipOf(listId)?.Language;
        var left = state.State.Leave(new ConsentRecord(listId, ConsentAction.Left, now, ConsentChannel.Staff, by.StaffId, null, null));
        if (left)
        {
            if (state.State.IsWindowOpen(now))
            {
                state.State.QueueListConfirmation(ListTexts.LeftText(list, policy.Options.Name, language!), now);
            }
            await PersistAsync();
            diagnostics.Consent(listId, ConsentAction.Left, ConsentChannel.Staff);
        }
        await SyncListsAsync([listId]);
        await EnsureOutboxReminderAsync();
        ResumeBackgroundWork();
        return left;
    }

    public async Task<CitizenConsent> GetConsentAsync(StaffActor by)
    {
        RequireMayWork(by);
        return new CitizenConsent([.. state.State.Memberships], [.. state.State.ConsentHistory], state.State.MarketingStopped);
    }

    public async Task<ReceiveOutcome> SetMarketingPreferenceAsync(bool stopped, DateTimeOffset at)
    {
        if (!state.State.SetMarketingStopped(stopped, at))
        {
            return ReceiveOutcome.Duplicate;
        }
        await PersistAsync();
        diagnostics.Consent(null, stopped ? ConsentAction.Left : ConsentAction.Joined, ConsentChannel.WhatsAppPreference);
        return ReceiveOutcome.Recorded;
    }

    public async Task<BroadcastAudience> GetBroadcastAudienceAsync(string listId, bool marketing)
    {
        var membership = state.State.MembershipOf(listId);
        return new BroadcastAudience(membership is not null, membership?.Language, state.State.IsWindowOpen(time.GetUtcNow()), state.State.MarketingStopped);
    }

    public async Task<BroadcastDelivery> QueueBroadcastAsync(BroadcastSend send, bool templateAllowed)
    {
        ArgumentNullException.ThrowIfNull(send);
        if (state.State.BroadcastDeliveryOf(send.BroadcastId) is { } earlier)
        {
            return earlier;
        }
        var policy = RequirePolicy();
        if (state.State.MembershipOf(send.ListId) is not { } membership || !policy.Options.Lists.TryGetValue(send.ListId, out var list))
        {
            return new BroadcastDelivery(RecipientState.Skipped, null, false, "Nicht mehr in der Liste.");
        }
        var content = send.Content;
        if (content.IsMarketing && state.State.MarketingStopped)
        {
            return new BroadcastDelivery(RecipientState.Skipped, membership.Language, true, "Hat Werbe-Nachrichten in WhatsApp abbestellt.");
        }
        var now = time.GetUtcNow();
        var windowOpen = state.State.IsWindowOpen(now);
        string? text = null;
        OutboundTemplate? template = null;
        var language = membership.Language;
        if (content.TemplateName is { } templateName)
        {
            template = new OutboundTemplate(templateName, language, content.TemplateParameters);
        }
        else if (content.TextFor(language) is { } chosen)
        {
            (language, text) = chosen;
            if (!windowOpen)
            {
                if (ListTemplate(list, policy.Options, language) is not { } listTemplate)
                {
                    return new BroadcastDelivery(RecipientState.Skipped, language, true,
                        "Außerhalb des 24-Stunden-Fensters, und die Liste hat keine Vorlage.");
                }
                template = new OutboundTemplate(listTemplate.Name, listTemplate.Language, [.. listTemplate.BodyParameters]);
            }
        }
        else
        {
            throw new ArgumentException("A broadcast has a text or a template.", nameof(send));
        }
        if (!windowOpen && !templateAllowed)
        {
            // Reaching a citizen outside the window counts against Meta's messaging limit: ask for a place first.
            return new BroadcastDelivery(RecipientState.Pending, language, true, null);
        }
        state.State.QueueBroadcast(send.BroadcastId, text, template, now);
        await MarkSendingAheadAsync();
        await PersistAsync();
        await EnsureOutboxReminderAsync();
        ResumeBackgroundWork();
        var delivery = state.State.BroadcastDeliveryOf(send.BroadcastId)! with { Language = language };
        _reportedToBroadcast[send.BroadcastId] = delivery.State;
        return delivery;
    }

    public async Task<BroadcastDelivery?> GetBroadcastDeliveryAsync(string broadcastId)
    {
        return state.State.BroadcastDeliveryOf(broadcastId);
    }

    // The list's template in the member's language (else in the list's first language), else the tenant's window
    // template: outside the window only a template may go out.
    private static WindowTemplateOptions? ListTemplate(BroadcastListOptions list, TenantOptions tenant, string language) =>
        list.Templates.GetValueOrDefault(language)
        ?? list.Templates.GetValueOrDefault(list.EffectiveLanguages[0])
        ?? list.Templates.Values.FirstOrDefault()
        ?? tenant.WindowTemplate;

    // Tells the list grains who is in them, after the citizen's state is stored (idempotent: a retry repeats it).
    private async Task SyncListsAsync(IEnumerable<string> listIds)
    {
        foreach (var listId in listIds)
        {
            var list = GrainFactory.GetGrain<IBroadcastListGrain>(ListIds.GrainKey(_key.Tenant, listId));
            if (state.State.MembershipOf(listId) is { } membership)
            {
                await list.AddAsync(new ListMember(_key.GrainKey, membership.Language, membership.Since));
            }
            else
            {
                await list.RemoveAsync(_key.GrainKey);
            }
        }
    }

    // Every list the citizen ever consented to (after Meta's retry of a webhook whose first attempt may have stopped
    // between storing the citizen and telling the list).
    private Task SyncAllListsAsync() =>
        state.State.ConsentHistory.Count == 0
            ? Task.CompletedTask
            : SyncListsAsync(state.State.ConsentHistory.Where(r => r.ListId is not null).Select(r => r.ListId!).Distinct());

    // Tells each broadcast with messages here where this citizen's part stands, when that changed. A failure is only
    // logged: the broadcast asks again after a restart.
    private async Task ReportToBroadcastsAsync()
    {
        foreach (var broadcastId in state.State.RecentBroadcasts().ToList())
        {
            if (state.State.BroadcastDeliveryOf(broadcastId) is not { } delivery
                || (_reportedToBroadcast.TryGetValue(broadcastId, out var reported) && reported == delivery.State))
            {
                continue;
            }
            try
            {
                var broadcast = GrainFactory.GetGrain<IBroadcastGrain>(ListIds.GrainKey(_key.Tenant, broadcastId));
                // Under every key the broadcast may know this citizen by (staff may have added their number).
                foreach (var key in state.State.FoldedKeys.Prepend(_key.GrainKey))
                {
                    await broadcast.ReportAsync(key, delivery.State, delivery.Reason);
                }
                _reportedToBroadcast[broadcastId] = delivery.State;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                diagnostics.LogBroadcastReportFailed(ex.GetType().Name);
            }
        }
    }

    private async Task CountBroadcastReplyAsync(string? broadcastId)
    {
        if (broadcastId is null)
        {
            return;
        }
        try
        {
            var broadcast = GrainFactory.GetGrain<IBroadcastGrain>(ListIds.GrainKey(_key.Tenant, broadcastId));
            foreach (var key in state.State.FoldedKeys.Prepend(_key.GrainKey))
            {
                await broadcast.CountReplyAsync(key);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            diagnostics.LogBroadcastReportFailed(ex.GetType().Name);
        }
    }

    private static BroadcastListOptions RequireList(TenantPolicy policy, string listId) =>
        policy.Options.Lists.TryGetValue(listId ?? "", out var list)
            ? list
            : throw new ArgumentException(
                $"'{listId}' is not a list of this tenant; the lists are: {string.Join(", ", policy.Options.Lists.Keys)}.", nameof(listId));



}
