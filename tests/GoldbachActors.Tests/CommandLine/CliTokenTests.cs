using System.Diagnostics;
using Microsoft.IdentityModel.JsonWebTokens;

namespace GoldbachActors.Tests.CommandLine;

/// <summary>The CLI as staff type it: global options before or after the command, and the tenant they name.</summary>
public sealed class CliTokenTests
{
    [Theory]
    [InlineData("token", "--staff", "staff-01", "--role", "supervisor", "--tenant", "123456")]
    [InlineData("--staff", "staff-01", "--tenant", "123456", "token", "--role", "supervisor")]
    public async Task Token_takes_staff_and_tenant_before_or_after_the_command(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "goldbach.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("GOLDBACH_TENANT");
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, errors);
        var token = new JsonWebToken(output.Trim());
        Assert.Equal("staff-01", token.GetClaim("sub").Value);
        Assert.Equal("supervisor", token.GetClaim("role").Value);
        Assert.Equal("123456", token.GetClaim("tenant").Value);
    }
}
