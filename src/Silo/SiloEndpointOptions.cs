using System.Net;

namespace GoldbachActors.Silo;

/// <summary>
/// Where this silo listens and what it advertises to the cluster. In Kubernetes the downward API sets
/// <c>POD_IP</c> and <c>POD_NAME</c>; locally every silo advertises 127.0.0.1 with its own ports.
/// </summary>
public sealed record SiloEndpointOptions(IPAddress AdvertisedAddress, int SiloPort, int GatewayPort, string SiloName)
{
    public static SiloEndpointOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Orleans");
        var addressText = configuration["POD_IP"] ?? section["AdvertisedIPAddress"] ?? "127.0.0.1";
        if (!IPAddress.TryParse(addressText, out var address))
        {
            throw new InvalidOperationException($"Orleans:AdvertisedIPAddress (or POD_IP) '{addressText}' is not an IP address.");
        }
        var siloPort = Port(section, "SiloPort", 11111);
        var gatewayPort = Port(section, "GatewayPort", 30000);
        var name = configuration["POD_NAME"] ?? section["SiloName"] ?? $"silo-{Environment.MachineName}-{siloPort}";
        return new SiloEndpointOptions(address, siloPort, gatewayPort, name);
    }

    private static int Port(IConfigurationSection section, string key, int fallback)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"Orleans:{key} '{text}' is not a TCP port (1 to 65535).");
    }
}
