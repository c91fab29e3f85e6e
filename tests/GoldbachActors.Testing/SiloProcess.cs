using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace GoldbachActors.Testing;

/// <summary>A silo running as its own operating-system process (the built silo), which a test can stop or kill.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SiloProcess(Process process, Uri http, int siloPort)
    {
        _process = process;
        Http = http;
        SiloPort = siloPort;
    }

    /// <summary>Its silo-to-silo port (how the cluster's membership names it).</summary>
    public int SiloPort { get; }

    /// <summary>Its HTTP endpoint (health, metrics, dashboard).</summary>
    public Uri Http { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Its last 40 lines of output, for error messages.</summary>
    public string LastOutput => string.Join('\n', _output);

    public static SiloProcess Start(string directory, int httpPort, int siloPort, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, "GoldbachActors.Silo.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo process did not start.");
        var silo = new SiloProcess(process, new Uri($"http://127.0.0.1:{httpPort}"), siloPort);
        process.OutputDataReceived += (_, e) => silo.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    public async Task WaitUntilReadyAsync(HttpClient http, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ready = new Uri(Http, "/health/ready");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(ready);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var how = _process.HasExited ? $"exited with {_process.ExitCode}" : $"was not ready within {timeout.TotalSeconds:0} seconds";
                throw new InvalidOperationException($"The silo process {how}. Its last output:\n{LastOutput}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the silo shuts down gracefully.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown at all.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            while (_output.Count > 40 && _output.TryDequeue(out _))
            {
            }
        }
    }
}
