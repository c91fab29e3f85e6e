namespace GoldbachActors.Contracts;

/// <summary>
/// The <c>biz_opaque_callback_data</c> the town attaches to every message it sends, <c>{grain key}#{outbound id}</c>:
/// WhatsApp echoes it in the message's status webhooks, so a status finds its citizen whatever identity Meta reports,
/// and its message even when the send timed out before the wamid came back. Produced and parsed only here.
/// </summary>
public static class OutboundReference
{
    private const char Separator = '#';

    public static string Format(CitizenKey citizen, string outboundId) => $"{citizen.GrainKey}{Separator}{outboundId}";

    /// <summary>Reads callback data; the outbound id is null for data written before it carried one (the grain key alone).</summary>
    public static bool TryParse(string? callbackData, out CitizenKey citizen, out string? outboundId)
    {
        citizen = default;
        outboundId = null;
        if (string.IsNullOrEmpty(callbackData) || callbackData.Length > 512)
        {
            return false;
        }
        var separator = callbackData.IndexOf(Separator, StringComparison.Ordinal);
        var grainKey = separator < 0 ? callbackData : callbackData[..separator];
        try
        {
            citizen = CitizenKey.ParseGrainKey(grainKey);
        }
        catch (FormatException)
        {
            return false;
        }
        if (separator >= 0)
        {
            outboundId = callbackData[(separator + 1)..];
            if (outboundId.Length is 0 or > 40)
            {
                return false;
            }
        }
        return true;
    }
}
