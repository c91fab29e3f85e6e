namespace GoldbachActors.WhatsApp.GraphApi;

/// <summary>
/// The Graph API did not accept a message. <see cref="Code"/> is Meta's error code (build on it, not on titles);
/// <see cref="IsTransient"/> says whether sending the same message again later can succeed.
/// </summary>
public sealed class WhatsAppApiException : Exception
{
    public WhatsAppApiException(string message, int? httpStatus, int? code, string? details, bool isTransient, Exception? inner = null)
        : base(message, inner)
    {
        HttpStatus = httpStatus;
        Code = code;
        Details = details;
        IsTransient = isTransient;
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
}
