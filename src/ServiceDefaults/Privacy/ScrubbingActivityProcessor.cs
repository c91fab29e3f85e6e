using System.Diagnostics;
using OpenTelemetry;

namespace GoldbachActors.ServiceDefaults.Privacy;

/// <summary>
/// Scrubs every span before it is exported: its name, its string tags (Orleans' grain ids, request paths and URLs,
/// exception messages) and its status description.
/// </summary>
internal sealed class ScrubbingActivityProcessor(PersonalDataScrubber scrubber) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        data.DisplayName = scrubber.Scrub(data.DisplayName);
        List<KeyValuePair<string, string>>? changed = null;
        foreach (var (key, value) in data.TagObjects)
        {
            if (value is string text && scrubber.Scrub(text) is var scrubbed && scrubbed != text)
            {
                (changed ??= []).Add(new(key, scrubbed));
            }
        }
        foreach (var (key, value) in changed ?? [])
        {
            data.SetTag(key, value);
        }
        if (data.StatusDescription is { } description)
        {
            data.SetStatus(data.Status, scrubber.Scrub(description));
        }
    }
}
