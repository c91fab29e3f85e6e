using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GoldbachActors.Contracts;
using GoldbachActors.Storage;
using GoldbachActors.WhatsApp.GraphApi;

namespace GoldbachActors.Grains.Media;

/// <summary>
/// Copies an inbound media file from WhatsApp into the town's blob storage (container <c>media</c>, blob
/// <c>{tenant}/{citizen identity}/{wamid}</c>, so everything of one citizen is found by the key), checking size,
/// type and SHA-256 on the way. The file streams through; it is never held in memory whole.
/// </summary>
public sealed class MediaDownloader(IWhatsAppMediaClient whatsApp, BlobServiceClient blobs)
{
    public const string ContainerName = "media";

    private readonly StorageSetup<BlobContainerClient> _container = StorageSetup.Container(blobs, ContainerName);

    /// <summary>The blob name of a message's media.</summary>
    public static string BlobName(CitizenKey citizen, string whatsAppMessageId) =>
        $"{citizen.Tenant}/{citizen.Identity}/{whatsAppMessageId}";

    /// <summary>Downloads, checks and stores the file; returns the attachment marked stored.</summary>
    /// <exception cref="MediaDownloadException">Not stored; transient when a later attempt may succeed.</exception>
    public async Task<MediaAttachment> StoreAsync(
        CitizenKey citizen, string whatsAppMessageId, MediaAttachment media, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(media);
        var limit = MediaLimits.MaxBytes(media.Kind);
        MediaLocation location;
        try
        {
            location = await whatsApp.LocateAsync(media.MediaId, citizen.Tenant, cancellationToken);
        }
        catch (WhatsAppApiException ex)
        {
            throw new MediaDownloadException(MetaErrorTexts.Describe(ex.Code, ex.Details), ex.IsTransient, ex);
        }
        var mimeType = location.MimeType ?? media.MimeType;
        if (!MediaLimits.Accepts(media.Kind, mimeType))
        {
            throw new MediaDownloadException($"Dateityp {mimeType ?? "unbekannt"} passt nicht zu {media.Kind}.", isTransient: false);
        }
        if (location.FileSize > limit)
        {
            throw new MediaDownloadException($"Datei zu groß ({location.FileSize} Bytes, erlaubt {limit}).", isTransient: false);
        }

        var blob = (await _container.GetAsync()).GetBlobClient(BlobName(citizen, whatsAppMessageId));
        long size;
        byte[] hash;
        try
        {
            using var response = await whatsApp.OpenAsync(location.Url, cancellationToken);
            await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var checking = new CheckingStream(source, limit);
            await blob.UploadAsync(checking, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = MediaLimits.StoredType(media.Kind, mimeType!) },
            }, cancellationToken);
            size = checking.Length;
            hash = checking.Hash();
        }
        catch (WhatsAppApiException ex)
        {
            throw new MediaDownloadException(MetaErrorTexts.Describe(ex.Code, ex.Details), ex.IsTransient, ex);
        }
        catch (FileTooLargeException)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            throw new MediaDownloadException($"Datei größer als erlaubt ({limit} Bytes).", isTransient: false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or RequestFailedException)
        {
            throw new MediaDownloadException("Download oder Speicherung unterbrochen; wird erneut versucht.", isTransient: true, ex);
        }

        var announced = location.Sha256 ?? media.Sha256;
        if (announced is not null && !Matches(announced, hash))
        {
            await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            throw new MediaDownloadException("Prüfsumme (SHA-256) stimmt nicht: Datei beschädigt.", isTransient: true);
        }
        return media with
        {
            Status = MediaStatus.Stored,
            BlobName = blob.Name,
            SizeBytes = size,
            MimeType = mimeType,
            FailureReason = null,
        };
    }

    /// <summary>
    /// Deletes the citizen's files: every blob under each key's prefix (<c>{tenant}/{identity}/</c>) and the named
    /// blobs (files a former identity stored before it was folded in). Returns how many were deleted.
    /// </summary>
    public async Task<int> DeleteAllAsync(IEnumerable<CitizenKey> keys, IEnumerable<string> blobNames, CancellationToken cancellationToken)
    {
        var container = await _container.GetAsync();
        var names = new HashSet<string>(blobNames, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{key.Tenant}/{key.Identity}/" }, cancellationToken))
            {
                names.Add(blob.Name);
            }
        }
        var deleted = 0;
        foreach (var name in names)
        {
            var response = await container.DeleteBlobIfExistsAsync(name, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            deleted += response.Value ? 1 : 0;
        }
        return deleted;
    }

    // Meta writes SHA-256 as hex in some places and base64 in others.
    private static bool Matches(string announced, byte[] hash) =>
        string.Equals(announced, Convert.ToHexString(hash), StringComparison.OrdinalIgnoreCase)
        || announced == Convert.ToBase64String(hash);

    private sealed class FileTooLargeException : IOException
    {
    }

    // Counts and hashes what passes through, and stops at the limit.
    private sealed class CheckingStream(Stream inner, long limit) : Stream
    {
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public byte[] Hash() => _sha256.GetHashAndReset();

        public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Count(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(ReadOnlySpan<byte> read)
        {
            _length += read.Length;
            if (_length > limit)
            {
                throw new FileTooLargeException();
            }
            _sha256.AppendData(read);
            return read.Length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _sha256.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
