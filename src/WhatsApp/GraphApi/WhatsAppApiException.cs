namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>
/// The Graph API did not accept a message. <see cref="Code"/> is Meta's error code (build on it, not on titles);
/// <see cref="IsTransient"/> says whether sending the same message again later can succeed; <see cref="IsAmbiguous"/>
/// that the request may have reached WhatsApp (a timeout, a connection lost after sending).
/// </summary>
public sealed class WhatsAppApiException : Exception
{
    public WhatsAppApiException(
        string message, int? httpStatus, int? code, string? details, bool isTransient, Exception? inner = null, bool isAmbiguous = false)
        : base(message, inner)
    {
        HttpStatus = httpStatus;
        Code = code;
        Details = details;
        IsTransient = isTransient;
        IsAmbiguous = isAmbiguous;
    }

    public WhatsAppApiException()
    {
    }

    public WhatsAppApiException(string message) : base(message)
    {
    }

    public WhatsAppApiException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public int? HttpStatus { get; }

    public int? Code { get; }

    public string? Details { get; }

    public bool IsTransient { get; }

    /// <summary>The outcome is unknown: WhatsApp may have accepted the message. Never resend blindly.</summary>
    public bool IsAmbiguous { get; }
}
