using System.Text;
using GoldbachActors.WhatsApp.Webhooks;

namespace GoldbachActors.Tests.Domain;

public sealed class WebhookSignatureTests
{
    private readonly WebhookSignature _signature = new("app-secret");

    [Fact]
    public void Signature_is_the_lowercase_hex_hmac_sha256_of_the_raw_bytes()
    {
        // printf '{}' | openssl dgst -sha256 -hmac app-secret
        const string Expected = "sha256=bd9549eb87a414d3df28b5a60ea86d4a11e2f1c6258edbd18f56d3c23c0f908d";

        Assert.Equal(Expected, _signature.Sign("{}"u8));
        Assert.True(_signature.IsValid(Expected, "{}"u8));
    }

    [Fact]
    public void Uppercase_hex_is_accepted_and_a_changed_byte_is_not()
    {
        var body = Encoding.UTF8.GetBytes("{\"text\":\"\\ud83d\\ude2e\"}");
        var header = _signature.Sign(body);
        var upper = "sha256=" + header["sha256=".Length..].ToUpperInvariant();

        Assert.True(_signature.IsValid(upper, body));
        body[^2] ^= 1;
        Assert.False(_signature.IsValid(header, body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=abcdef")]
    [InlineData("sha256=zz")]
    [InlineData("sha256=00")]
    public void Missing_or_malformed_headers_are_invalid(string? header)
    {
        Assert.False(_signature.IsValid(header, "{}"u8));
    }
}
