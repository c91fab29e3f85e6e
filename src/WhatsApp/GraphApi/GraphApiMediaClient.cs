using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>The Graph API's media endpoints, on an HttpClient with the same resilience pipeline as sending.</summary>
public sealed class GraphApiMediaClient(HttpClient http, IOptions<GraphApiOptions> options) : IWhatsAppMediaClient
{
    public async Task<MediaLocation> LocateAsync(string mediaId, string phoneNumberId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(
            settings.BaseUrl!, $"{settings.ApiVersion}/{Uri.EscapeDataString(mediaId)}?phone_number_id={Uri.EscapeDataString(phoneNumberId)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.AccessToken);
        using var response = await GraphApiErrors.SendAsync(http, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var payload = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw GraphApiErrors.From(response.StatusCode, payload);
        }
        try
        {
            var json = JsonNode.Parse(payload);
            var url = json?["url"]?.GetValue<string>();
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                throw new WhatsAppApiException("The media lookup returned no URL.", (int)response.StatusCode, null, null, isTransient: false);
            }
            long? size = json?["file_size"] is JsonValue value
                ? value.TryGetValue<long>(out var number) ? number
                  : value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null
                : null;
            return new MediaLocation(uri, json?["mime_type"]?.GetValue<string>(), json?["sha256"]?.GetValue<string>(), size);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new WhatsAppApiException("The media lookup answered something that is not Meta's shape.", (int)response.StatusCode, null, null, isTransient: false, ex);
        }
    }

    public async Task<HttpResponseMessage> OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.AccessToken);
        var response = await GraphApiErrors.SendAsync(http, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                // Meta: a failed download is a 404; the URL may have expired, so locate the media again.
                throw GraphApiErrors.From(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), transientOverride: response.StatusCode == HttpStatusCode.NotFound ? true : null);
            }
        }
        return response;
    }
}
