namespace GoldbachActors.Grains.Media;

/// <summary>A media file could not be stored; <see cref="IsTransient"/> says whether trying later can help.</summary>
public sealed class MediaDownloadException : Exception
{
    public MediaDownloadException(string message, bool isTransient, Exception? inner = null) : base(message, inner) =>
        IsTransient = isTransient;

    public MediaDownloadException()
    {
    }

    public MediaDownloadException(string message) : base(message)
    {
    }

    public MediaDownloadException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public bool IsTransient { get; }
}
