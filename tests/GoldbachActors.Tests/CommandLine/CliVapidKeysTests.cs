using System.Diagnostics;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Duty;
using GoldbachActors.Testing;
using Microsoft.Extensions.Options;

namespace GoldbachActors.Tests.CommandLine;

/// <summary>
/// <c>goldbach vapid-keys</c> makes a key pair the silo's Web Push sender signs with and the local push service
/// accepts (VAPID verified, payload decrypted); the sender's answers to 404, 429 and 500 on the same push service.
/// </summary>
public sealed class CliVapidKeysTests
{
    [Fact]
    public async Task A_new_key_pair_pushes_through_the_real_protocol_and_the_sender_tells_gone_retried_and_failed_apart()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "goldbach.dll"));
        info.ArgumentList.Add("vapid-keys");
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        var keys = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var options = new WebPushOptions
        {
            PublicKey = keys["Goldbach__Push__PublicKey"],
            PrivateKey = keys["Goldbach__Push__PrivateKey"],
            AllowLoopbackHttp = true,
            AttemptTimeout = TimeSpan.FromSeconds(2),
        };
        Assert.Empty(Validate(options));

        await using var service = await PushService.StartAsync();
        using var http = new HttpClient();
        var sender = new WebPushSender(http, Options.Create(options));
        var device = await service.SubscribeAsync(options.PublicKey);
        var registration = new PushDeviceRegistration("handy", device.Endpoint, device.P256dh, device.Auth, null);
        var notification = new DutyNotification("Neue Nachricht (Kategorie Sonstiges)", "Bitte im Posteingang ansehen.", "/#/alarm/ab", "ab", Urgent: false);

        Assert.Equal(PushOutcome.Delivered, await sender.SendAsync(registration, notification, CancellationToken.None));
        var received = await service.WaitForAsync(device, 1, TimeSpan.FromSeconds(5));
        Assert.Equal(("Neue Nachricht (Kategorie Sonstiges)", "ab", 3600), (received.Messages[0].Payload.GetProperty("title").GetString(), received.Messages[0].Topic, received.Messages[0].TimeToLive));

        // 429 once (Retry-After: 1): retried, then delivered.
        await service.SetModeAsync(device, 429, times: 1);
        Assert.Equal(PushOutcome.Delivered, await sender.SendAsync(registration, notification, CancellationToken.None));
        var afterRetry = (await service.ReceivedAsync(device))!;
        Assert.Equal(("429", 2), (string.Join(",", afterRetry.Rejections), afterRetry.Messages.Length));
        // 500 every time: three attempts, then failed (the WhatsApp notice's turn).
        await service.SetModeAsync(device, 500);
        Assert.Equal(PushOutcome.Failed, await sender.SendAsync(registration, notification, CancellationToken.None));
        var rejected = (await service.ReceivedAsync(device))!.Rejections;
        Assert.Equal("429,500,500,500", string.Join(",", rejected));
        // A key the subscription was not made with is refused by the push service (403): failed, not gone.
        var other = await service.SubscribeAsync(GoldbachActors.ServiceDefaults.LocalDevelopment.VapidPublicKey);
        Assert.Equal(PushOutcome.Failed, await sender.SendAsync(registration with { Endpoint = other.Endpoint, P256dh = other.P256dh, Auth = other.Auth }, notification, CancellationToken.None));
        var refused = (await service.ReceivedAsync(other))!.Rejections;
        Assert.Equal("403", string.Join(",", refused));
        // 410: gone, and the push service forgot the subscription; a push to it now is 404: gone too.
        await service.SetModeAsync(device, 410);
        Assert.Equal(PushOutcome.Gone, await sender.SendAsync(registration, notification, CancellationToken.None));
        Assert.Null(await service.ReceivedAsync(device));
        Assert.Equal(PushOutcome.Gone, await sender.SendAsync(registration, notification, CancellationToken.None));
    }

    private static List<System.ComponentModel.DataAnnotations.ValidationResult> Validate(WebPushOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results;
    }
}
