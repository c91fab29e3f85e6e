using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>
/// Calls the Graph API and reads Meta's error shape
/// <c>{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}</c>.
/// </summary>
internal static class GraphApiErrors
{
    /// <summary>
    /// Sends a request. A connection that could not be made, or an open circuit, becomes a transient
    /// <see cref="WhatsAppApiException"/> (certainly not sent); a timeout or a connection lost after sending an
    /// ambiguous one (perhaps sent).
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new WhatsAppApiException("The Graph API could not be reached.", null, null, null, isTransient: true, ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new WhatsAppApiException("The Graph API is failing; sends wait until it recovers (circuit open).", null, null, null, isTransient: true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new WhatsAppApiException("The connection to the Graph API broke off; the request may have arrived.", null, null, null, isTransient: true, ex, isAmbiguous: true);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new WhatsAppApiException("The Graph API did not answer in time; the request may have arrived.", null, null, null, isTransient: true, ex, isAmbiguous: true);
        }
    }

    /// <summary>
    /// A 500, 502 or 504 answer does not prove that Meta did not send the message (a proxy or Meta's own back end
    /// may have failed after accepting it), unlike 429 and 503.
    /// </summary>
    public static bool MayHaveBeenSent(HttpStatusCode status) =>
        status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    public static WhatsAppApiException From(HttpStatusCode status, string payload, bool? transientOverride = null, bool ambiguous = false)
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
        return new WhatsAppApiException(message, httpStatus, code, details, transient || ambiguous, isAmbiguous: ambiguous);
    }
}
