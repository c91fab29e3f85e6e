using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using GoldbachActors.Contracts;
using GoldbachActors.ServiceDefaults;
using GoldbachActors.StaffApi.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace GoldbachActors.Cli;

/// <summary>Signing the CLI in at the town's identity provider: <c>login</c>, <c>logout</c>, <c>whoami</c>.</summary>
public static partial class CliCommands
{
    private static Command Login()
    {
        var command = new Command("login", "Sign in at the town's identity provider (device code: open the address on any device). The token is kept in ~/.config/goldbach, for you only, and renewed by itself.");
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            await StaffLogin.LoginAsync(settings.Gateway, Console.Out, ct);
            return await PrintSignedInAsync(settings, parse.GetValue(StaffOption)!, ct);
        }));
        return command;
    }

    private static Command Logout()
    {
        var command = new Command("logout", "Forget this gateway's sign-in here and revoke it at the identity provider.");
        command.SetAction((parse, ct) => RunAsync(parse, async settings =>
        {
            Console.WriteLine(await StaffLogin.LogoutAsync(settings.Gateway, ct) ? "Abgemeldet." : "Nicht angemeldet.");
            return 0;
        }));
        return command;
    }

    private static Command WhoAmI()
    {
        var command = new Command("whoami", "Who the gateway takes you for: staff id, name, role, tenant, and until when.");
        command.SetAction((parse, ct) => RunAsync(parse, settings => PrintSignedInAsync(settings, parse.GetValue(StaffOption)!, ct)));
        return command;
    }

    private static async Task<int> PrintSignedInAsync(CliSettings settings, string staffId, CancellationToken ct)
    {
        var (client, headers, channel) = await StaffClientAsync(settings, staffId, ct);
        using (channel)
        {
            var me = await client.GetSignedInStaffAsync(new GetSignedInStaffRequest(), headers, cancellationToken: ct);
            var name = string.IsNullOrEmpty(me.DisplayName) ? me.StaffId : $"{me.DisplayName} ({me.StaffId})";
            Console.WriteLine($"Angemeldet als {name}, Rolle {me.Role}, {me.Tenant}, bis {Local(me.ExpireTime.ToDateTimeOffset(), "ddd dd.MM. HH:mm")}.");
            return 0;
        }
    }
}
