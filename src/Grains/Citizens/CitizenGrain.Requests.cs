using GoldbachActors.Contracts;
using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Grains.Citizens;

/// <summary>Requests: their outcome told to the citizen, once per request and status, in the citizen's language.</summary>
public sealed partial class CitizenGrain
{
    public async Task<bool> NotifyRequestStatusAsync(RequestStatusNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var policy = RequirePolicy();
        if (state.State.IsBlank || ServiceRequestRules.Notice(policy.Options, state.State.Language, notice) is not { } wording)
        {
            return false;
        }
        var (text, template) = wording;
        var outboundTemplate = template is null
            ? null
            : new OutboundTemplate(template.Name, template.Language, [.. template.BodyParameters.Select(p => ServiceRequestRules.Fill(p, notice))]);
        if (!state.State.QueueRequestNotice($"{notice.RequestId}:{notice.Status}", text, outboundTemplate, time.GetUtcNow()))
        {
            return false;
        }
        await MarkSendingAheadAsync();
        await PersistAsync();
        await EnsureOutboxReminderAsync();
        await PublishSummaryAsync();
        ResumeBackgroundWork();
        return true;
    }
}
