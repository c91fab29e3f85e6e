using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;

namespace GoldbachActors.Tests.CommandLine;

/// <summary>
/// <c>goldbach login</c> against the real local OpenID provider: the device authorization grant (RFC 8628), the
/// token kept for the user only, refreshed when it runs out, revoked by <c>goldbach logout</c>. The gateway takes the
/// provider's tokens only (no development key), as in Production.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class CliLoginTests : IAsyncLifetime
{
    private readonly string _config = Directory.CreateTempSubdirectory("goldbach-cli-").FullName;
    private LocalSystem _system = null!;
    private IdentityProvider _provider = null!;

    public async Task InitializeAsync()
    {
        (_system, _provider) = await LocalSystem.WithProviderOnlyAsync();
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_config, recursive: true);
    }

    [Fact]
    public async Task Login_uses_the_device_flow_keeps_the_token_private_refreshes_it_and_logout_revokes_it()
    {
        // The CLI says where to confirm; a staff member does so in a browser on any device. (Read as events: awaiting
        // ReadLineAsync on its output here stalled with the in-process system running.)
        using var login = Cli("login");
        var lines = new List<string>();
        var prompted = new TaskCompletionSource<(string Address, string Code)>(TaskCreationOptions.RunContinuationsAsynchronously);
        login.OutputDataReceived += (_, e) =>
        {
            lock (lines)
            {
                lines.Add(e.Data ?? "");
                var text = string.Join('\n', lines);
                if (Verification().Match(text) is { Success: true } address && Code().Match(text) is { Success: true } code)
                {
                    prompted.TrySetResult((address.Groups[1].Value, code.Groups[1].Value));
                }
            }
        };
        var errors = login.StandardError.ReadToEndAsync();
        login.BeginOutputReadLine();
        try
        {
            var (address, code) = await prompted.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await _provider.ConfirmDeviceAsync(new Uri(address), code, "bauhof", "bauhof-demo");
            await login.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            login.Kill();
        }
        var output = string.Join('\n', lines);
        Assert.True(login.ExitCode == 0, await errors);
        Assert.Contains($"Angemeldet als Bauhof (staff-bauhof), Rolle agent, tenants/{LocalSystem.Tenant}", output, StringComparison.Ordinal);

        // Kept in the config folder, readable by the user only.
        var file = Path.Combine(_config, "tokens.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_config));
        var first = AccessToken(file);

        // Further commands use it as it is.
        var (exit, whoami, problems) = await RunAsync("whoami");
        Assert.True(exit == 0, problems);
        Assert.Contains("Angemeldet als Bauhof (staff-bauhof)", whoami, StringComparison.Ordinal);
        Assert.Equal(first, AccessToken(file));

        // Near its expiry, the next command refreshes it first.
        var cache = JsonNode.Parse(File.ReadAllText(file))!;
        var entry = cache.AsObject().Single().Value!;
        entry["ExpiresAt"] = DateTimeOffset.UtcNow.AddSeconds(10);
        File.WriteAllText(file, cache.ToJsonString());
        (exit, _, problems) = await RunAsync("inbox");
        Assert.True(exit == 0, problems);
        var refreshed = AccessToken(file);
        Assert.NotEqual(first, refreshed);
        Assert.Equal("staff-bauhof", (await _system.StaffWithToken(refreshed).GetSignedInStaffAsync(new StaffApi.V1.GetSignedInStaffRequest())).StaffId);

        // Logout forgets and revokes it: the refresh token no longer works at the provider.
        var refreshToken = JsonNode.Parse(File.ReadAllText(file))!.AsObject().Single().Value!["RefreshToken"]!.GetValue<string>();
        (exit, var loggedOut, problems) = await RunAsync("logout");
        Assert.True(exit == 0, problems);
        Assert.Equal("Abgemeldet.", loggedOut.Trim());
        Assert.Empty(JsonNode.Parse(File.ReadAllText(file))!.AsObject());
        using var http = new HttpClient();
        using var reuse = await http.PostAsync(new Uri($"{_provider.Issuer}/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = "goldbach-cli",
        }));
        Assert.Contains("invalid_grant", await reuse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Without a login the CLI falls back to a development token, which this gateway refuses.
        (exit, _, problems) = await RunAsync("whoami");
        Assert.Equal(2, exit);
        Assert.Contains("Unauthenticated", problems, StringComparison.Ordinal);
    }

    // The CLI as its own build makes it (its dependencies as it resolves them), in this test run's configuration.
    private static string CliAssembly { get; } = Path.Combine(RepositoryRoot.Path, "src", "Cli", "bin",
        Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!, "net10.0", "goldbach.dll");

    private static string AccessToken(string file) =>
        JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateObject().Single().Value.GetProperty("AccessToken").GetString()!;

    private Process Cli(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add(CliAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["GOLDBACH_GATEWAY"] = _system.GatewayGrpc.ToString();
        info.Environment["GOLDBACH_TENANT"] = LocalSystem.Tenant;
        info.Environment["GOLDBACH_CONFIG_DIR"] = _config;
        info.Environment.Remove("GOLDBACH_TOKEN");
        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }

    private async Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args)
    {
        using var process = Cli(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            process.Kill();
        }
        return (process.ExitCode, await output, await errors);
    }

    [GeneratedRegex(@"Öffnen Sie (\S+) im Browser")]
    private static partial Regex Verification();

    [GeneratedRegex(@"bestätigen Sie den Code (\S+)\.")]
    private static partial Regex Code();
}
