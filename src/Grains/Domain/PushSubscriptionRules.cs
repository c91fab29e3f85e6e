using System.Buffers.Text;
using System.Net;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Domain;

/// <summary>
/// What a browser's push subscription must look like before it is stored: an https endpoint (or, for the local
/// stand-in, http on loopback), a P-256 public key (65 octets, uncompressed) and a 16-octet auth secret, both
/// base64url (RFC 8291 §3). Errors are German: the web inbox shows them as they are.
/// </summary>
public static class PushSubscriptionRules
{
    public const int MaxEndpointLength = 2048;

    /// <summary>Refuses a malformed subscription.</summary>
    /// <exception cref="ArgumentException">What is wrong, in German.</exception>
    public static void Validate(PushDeviceRegistration device, bool allowLoopbackHttp)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (string.IsNullOrEmpty(device.DeviceId) || device.DeviceId.Length > 64 || !device.DeviceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("Die Gerätekennung fehlt oder ist ungültig (1–64 Zeichen, Buchstaben, Ziffern, - und _).", nameof(device));
        }
        if (device.Endpoint is null || device.Endpoint.Length > MaxEndpointLength
            || !Uri.TryCreate(device.Endpoint, UriKind.Absolute, out var endpoint)
            || !(endpoint.Scheme == Uri.UriSchemeHttps || (allowLoopbackHttp && endpoint.Scheme == Uri.UriSchemeHttp && IsLoopback(endpoint))))
        {
            throw new ArgumentException("Die Adresse des Push-Dienstes ist ungültig: erwartet wird eine https-Adresse.", nameof(device));
        }
        if (DecodedLength(device.P256dh) != 65 || Base64Url.DecodeFromChars(device.P256dh)[0] != 0x04)
        {
            throw new ArgumentException("Der Schlüssel p256dh des Abonnements ist ungültig (65 Byte, P-256, base64url).", nameof(device));
        }
        if (DecodedLength(device.Auth) != 16)
        {
            throw new ArgumentException("Das Geheimnis auth des Abonnements ist ungültig (16 Byte, base64url).", nameof(device));
        }
        if (device.Label is { Length: > 80 })
        {
            throw new ArgumentException("Der Gerätename ist zu lang (höchstens 80 Zeichen).", nameof(device));
        }
    }

    /// <summary>The push service's host, which staff may see (the endpoint itself is a capability).</summary>
    public static string HostOf(string endpoint) => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.Host : "";

    private static int DecodedLength(string? value) =>
        value is { Length: > 0 and < 200 } && Base64Url.IsValid(value, out var length) ? length : -1;

    private static bool IsLoopback(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.Host, out var address) && IPAddress.IsLoopback(address));
}
