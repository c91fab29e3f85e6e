using System.Security.Cryptography;
using System.Text;

namespace GoldbachActors.WhatsApp.Webhooks;

/// <summary>
/// Meta's <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>: an HMAC-SHA256 of the raw request bytes with the app secret.
/// Checked on the bytes as received (re-serialised JSON would differ) and compared in constant time.
/// </summary>
public sealed class WebhookSignature(string appSecret)
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";
    private readonly byte[] _key = Encoding.UTF8.GetBytes(appSecret);

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/>.</summary>
    public bool IsValid(string? header, ReadOnlySpan<byte> body)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var hex = header.AsSpan(Prefix.Length).Trim();
        if (hex.Length != HMACSHA256.HashSizeInBytes * 2)
        {
            return false;
        }
        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(hex, claimed, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != claimed.Length)
        {
            return false;
        }
        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, body, actual);
        return CryptographicOperations.FixedTimeEquals(claimed, actual);
    }

    /// <summary>The header value for <paramref name="body"/>: what Meta (or the local stand-in) sends.</summary>
    public string Sign(ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(_key, body));
}
