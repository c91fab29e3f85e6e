using GoldbachActors.StaffApi.V1;
using Google.Protobuf;
using Grpc.Core;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// A write-only stream that sends what is written to it as <see cref="ExportChunk"/>s of up to 64 KiB on a gRPC
/// response stream, the first with the archive's file name. Writes wait for the response (HTTP/2 flow control), so a
/// slow client slows the export instead of filling memory.
/// </summary>
internal sealed class ExportChunkStream(IServerStreamWriter<ExportChunk> response, string fileName, CancellationToken cancellationToken) : Stream
{
    public const int ChunkSize = 64 * 1024;
    private readonly MemoryStream _pending = new(ChunkSize);
    private bool _sentFirst;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, ChunkSize - (int)_pending.Length);
            _pending.Write(buffer.Span[..take]);
            buffer = buffer[take..];
            if (_pending.Length >= ChunkSize)
            {
                await SendAsync();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The archive's few synchronous writes (headers) are kept until the next asynchronous write or flush sends them.
    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (_pending.Length > 0)
        {
            await SendAsync();
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task SendAsync()
    {
        var bytes = _pending.GetBuffer().AsMemory(0, (int)Math.Min(_pending.Length, ChunkSize));
        await response.WriteAsync(new ExportChunk
        {
            FileName = _sentFirst ? "" : fileName,
            Data = ByteString.CopyFrom(bytes.Span),
        }, cancellationToken);
        _sentFirst = true;
        var rest = _pending.GetBuffer().AsSpan(bytes.Length, (int)_pending.Length - bytes.Length).ToArray();
        _pending.SetLength(0);
        _pending.Write(rest);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }
        base.Dispose(disposing);
    }
}
