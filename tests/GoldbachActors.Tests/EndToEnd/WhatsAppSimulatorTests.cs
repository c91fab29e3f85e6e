using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>The stand-in answers Graph API sends as Meta does, so that the tests of the sender mean something.</summary>
[Collection(LocalSystemCollection.Name)]
public sealed class WhatsAppSimulatorTests(LocalSystem system)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string json, string? token = LocalSystem.AccessToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(system.Simulator, $"v25.0/{LocalSystem.Tenant}/messages"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task A_valid_text_send_gets_a_wamid_and_is_recorded()
    {
        var (status, body) = await SendAsync("""{"messaging_product":"whatsapp","to":"+4915112340001","type":"text","text":{"body":"Hallo"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var wamid = body.GetProperty("messages")[0].GetProperty("id").GetString();
        Assert.StartsWith("wamid.", wamid, StringComparison.Ordinal);
        Assert.Equal("Hallo", Assert.Single(system.SentMessages.List("+4915112340001"), m => m.Id == wamid).Text);
    }

    [Theory]
    [InlineData("""{"messaging_product":"whatsapp","to":"+4915112340002","type":"text","text":{"body":""}}""")]
    [InlineData("""{"messaging_product":"whatsapp","to":"015112340002","type":"text","text":{"body":"Hallo"}}""")]
    [InlineData("""{"messaging_product":"sms","to":"+4915112340002","type":"text","text":{"body":"Hallo"}}""")]
    [InlineData("""{"messaging_product":"whatsapp","type":"text","text":{"body":"Hallo"}}""")]
    [InlineData("""not json""")]
    public async Task A_malformed_send_is_refused_in_Metas_error_shape_and_not_recorded(string json)
    {
        var (status, body) = await SendAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal(100, error.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error_data").GetProperty("details").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("fbtrace_id").GetString()));
        Assert.Empty(system.SentMessages.List("+4915112340002"));
    }

    [Fact]
    public async Task A_text_over_4096_characters_is_refused()
    {
        var text = new string('a', 4097);
        var (status, _) = await SendAsync($$$"""{"messaging_product":"whatsapp","to":"+4915112340003","type":"text","text":{"body":"{{{text}}}"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("someone-elses-token")]
    public async Task A_send_without_the_right_token_is_refused_with_code_190(string? token)
    {
        var (status, body) = await SendAsync("""{"messaging_product":"whatsapp","to":"+4915112340004","type":"text","text":{"body":"Hallo"}}""", token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(190, body.GetProperty("error").GetProperty("code").GetInt32());
    }
}
