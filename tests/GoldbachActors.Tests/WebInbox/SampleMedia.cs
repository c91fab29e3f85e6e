using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>Real media files, made on the spot, that a browser can decode: a PNG photo and a WAV voice note.</summary>
internal static class SampleMedia
{
    /// <summary>A <paramref name="width"/>×<paramref name="height"/> PNG with a colour gradient.</summary>
    public static byte[] Png(int width, int height)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
        {
            var row = y * (1 + width * 3);
            for (var x = 0; x < width; x++)
            {
                raw[row + 1 + x * 3] = (byte)(40 + x * 180 / width);
                raw[row + 2 + x * 3] = (byte)(120 + y * 100 / height);
                raw[row + 3 + x * 3] = 60;
            }
        }
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A mono 16-bit WAV of a 440 Hz tone lasting <paramref name="seconds"/>.</summary>
    public static byte[] Wav(double seconds)
    {
        const int Rate = 8000;
        var samples = (int)(Rate * seconds);
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav, Encoding.ASCII, leaveOpen: true);
        w.Write("RIFF"u8);
        w.Write(36 + samples * 2);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1); // PCM
        w.Write((short)1); // mono
        w.Write(Rate);
        w.Write(Rate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            w.Write((short)(Math.Sin(2 * Math.PI * 440 * i / Rate) * 8000));
        }
        w.Flush();
        return wav.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(length, System.IO.Hashing.Crc32.HashToUInt32(typed));
        png.Write(length);
    }
}
