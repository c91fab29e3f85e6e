using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace GoldbachActors.Grains.Requests;

/// <summary>The outcome of one attempt to hand a department's mail to the relay.</summary>
/// <param name="Sent">The relay accepted it.</param>
/// <param name="Permanent">The relay refused it for good (a 5xx reply, a bad address): retrying will not help.</param>
/// <param name="Error">What went wrong, for staff (no personal data: the mail holds none).</param>
public sealed record DepartmentMailResult(bool Sent, bool Permanent, string? Error);

/// <summary>Sends a department's mail through the town's SMTP relay (<see cref="DepartmentMailOptions"/>).</summary>
public interface IDepartmentMailer
{
    DepartmentMailOptions Options { get; }

    /// <summary>
    /// One attempt. <paramref name="messageId"/> is the same for every attempt of one request, so that a mail that was
    /// accepted but not recorded as sent (a crash in between) is a duplicate mail clients recognise.
    /// </summary>
    Task<DepartmentMailResult> SendAsync(string address, string name, string subject, string body, string messageId, CancellationToken cancellationToken);
}

/// <summary>The relay through MailKit: connect (TLS as configured), authenticate if an account is set, send, quit.</summary>
public sealed partial class SmtpDepartmentMailer(IOptions<DepartmentMailOptions> options, ILogger<SmtpDepartmentMailer> logger) : IDepartmentMailer
{
    public DepartmentMailOptions Options => options.Value;

    public async Task<DepartmentMailResult> SendAsync(string address, string name, string subject, string body, string messageId, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return new DepartmentMailResult(false, true, "Es ist kein Mailserver eingerichtet (Goldbach:Mail:Host).");
        }
        MimeMessage message;
        try
        {
            message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body }, MessageId = messageId };
            message.From.Add(MailboxAddress.Parse(o.From));
            message.To.Add(new MailboxAddress(name, address));
        }
        catch (ParseException e)
        {
            return new DepartmentMailResult(false, true, $"Die Adresse ist ungültig: {e.Message}");
        }
        message.Headers.Add("Auto-Submitted", "auto-generated");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.AttemptTimeout);
        using var client = new SmtpClient { Timeout = (int)o.AttemptTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(o.Host!, o.Port, Security(o.Security), timeout.Token);
            if (!string.IsNullOrEmpty(o.UserName))
            {
                await client.AuthenticateAsync(o.UserName, o.Password ?? "", timeout.Token);
            }
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return new DepartmentMailResult(true, false, null);
        }
        catch (SmtpCommandException e)
        {
            var permanent = (int)e.StatusCode >= 500;
            LogRefused(logger, (int)e.StatusCode, e.ErrorCode.ToString(), permanent);
            return new DepartmentMailResult(false, permanent, $"Der Mailserver lehnte ab: {(int)e.StatusCode} {e.Message}");
        }
        catch (AuthenticationException e)
        {
            LogFailed(logger, "authentication", e.Message);
            return new DepartmentMailResult(false, false, $"Die Anmeldung am Mailserver schlug fehl: {e.Message}");
        }
        catch (Exception e) when (e is SocketException or IOException or SmtpProtocolException or OperationCanceledException or SslHandshakeException or ServiceNotConnectedException)
        {
            LogFailed(logger, e.GetType().Name, e.Message);
            return new DepartmentMailResult(false, false, $"Der Mailserver ist nicht erreichbar: {e.Message}");
        }
    }

    private static SecureSocketOptions Security(MailSecurity security) => security switch
    {
        MailSecurity.None => SecureSocketOptions.None,
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail relay refused a department's mail: {Status} {Code} (permanent: {Permanent}).")]
    private static partial void LogRefused(ILogger logger, int status, string code, bool permanent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A department's mail could not be sent ({Kind}): {Reason}; it is retried.")]
    private static partial void LogFailed(ILogger logger, string kind, string reason);
}
