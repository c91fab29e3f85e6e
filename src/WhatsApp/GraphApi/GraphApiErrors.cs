using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>
/// Calls the Graph API and reads Meta's error shape
/// <c>{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}</c>.
/// </summary>
internal static class GraphApiErrors
{
    /// <summary>Sends a request; a connection failure becomes a transient <see cref="WhatsAppApiException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new WhatsAppApiException("The Graph API could not be reached.", null, null, null, isTransient: true, ex);
        }
    }

    public static WhatsAppApiException From(HttpStatusCode status, string payload, bool? transientOverride = null)
    {
        int? code = null;
        string? details = null;
        try
        {
            var error = JsonNode.Parse(payload)?["error"];
            code = error?["code"]?.GetValue<int>();
            details = error?["error_data"]?["details"]?.GetValue<string>() ?? error?["message"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
        }

        var httpStatus = (int)status;
        var transient = transientOverride
            ?? (code is int c ? MetaErrorCodes.IsTransient(c) : httpStatus is >= 500 or 429 or 408);
        var message = code is null
            ? $"The Graph API answered HTTP {httpStatus} without an error code."
            : $"The Graph API refused the request with code {code} (HTTP {httpStatus}).";
        return new WhatsAppApiException(message, httpStatus, code, details, transient);
    }
}
