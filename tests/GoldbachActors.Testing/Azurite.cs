using System.Diagnostics;

namespace GoldbachActors.Testing;

/// <summary>
/// A real Azurite storage emulator on free loopback ports, started from the checkout's node_modules (the test
/// command runs <c>npm ci</c>): in memory, or on disk when a test needs to kill and restart it. Killed on dispose.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // Azurite's well-known development account.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _location;
    private Process? _process;

    private Azurite(string? location, int blobPort, int queuePort, int tablePort)
    {
        _location = location;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>Starts Azurite in memory, or keeping its data in <paramref name="location"/>.</summary>
    public static async Task<Azurite> StartAsync(string? location = null)
    {
        var azurite = new Azurite(location, FreePort.Next(), FreePort.Next(), FreePort.Next());
        try
        {
            await azurite.StartProcessAsync();
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
        return azurite;
    }

    /// <summary>
    /// Azurite's ports, with nothing listening on them yet: storage that is down when the system starts.
    /// <see cref="RestartAsync"/> starts it.
    /// </summary>
    public static Azurite Reserve(string? location = null) => new(location, FreePort.Next(), FreePort.Next(), FreePort.Next());

    /// <summary>A storage outage: the emulator is killed (SIGKILL) and nothing answers on its ports.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the emulator (again) on its ports (with the same data, if it keeps it on disk).</summary>
    public Task RestartAsync() => StartProcessAsync();

    private async Task StartProcessAsync()
    {
        var executable = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci' in the checkout (the test command does).");
        }
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] storage = _location is null ? ["--inMemoryPersistence"] : ["--location", _location];
        foreach (var argument in storage.Concat(
        [
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", $"{BlobPort}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{QueuePort}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{TablePort}",
        ]))
        {
            info.ArgumentList.Add(argument);
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(TablePort, TimeSpan.FromSeconds(30));
        await FreePort.WaitUntilListeningAsync(BlobPort, TimeSpan.FromSeconds(30));
    }

    public ValueTask DisposeAsync() => new(KillAsync());
}
