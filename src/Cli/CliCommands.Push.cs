using System.Buffers.Text;
using System.CommandLine;
using System.Security.Cryptography;

namespace GoldbachActors.Cli;

/// <summary>Operator tools for the duty phone's Web Push: <c>vapid-keys</c>.</summary>
public static partial class CliCommands
{
    private static Command VapidKeys()
    {
        var command = new Command("vapid-keys",
            "Make a new VAPID key pair (P-256, base64url, RFC 8292) for Goldbach:Push:PublicKey and PrivateKey. Keep the private key in the secret store; browsers subscribed with the old public key must subscribe again.");
        command.SetAction(_ =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var parameters = key.ExportParameters(includePrivateParameters: true);
            var point = new byte[65];
            point[0] = 0x04;
            parameters.Q.X!.CopyTo(point, 1);
            parameters.Q.Y!.CopyTo(point, 33);
            Console.WriteLine($"Goldbach__Push__PublicKey={Base64Url.EncodeToString(point)}");
            Console.WriteLine($"Goldbach__Push__PrivateKey={Base64Url.EncodeToString(parameters.D)}");
            return 0;
        });
        return command;
    }
}
