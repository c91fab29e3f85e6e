using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace GoldbachActors.Benchmarks;

/// <summary>The figures of one load run: how many, how fast, how long each took.</summary>
public sealed record LoadResult(string Name, int Requests, int Succeeded, TimeSpan Elapsed, double P50Ms, double P99Ms, double MaxMs)
{
    public double PerSecond => Succeeded / Elapsed.TotalSeconds;

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Requests} | {Succeeded} | {PerSecond:F0} | {P50Ms:F1} | {P99Ms:F1} | {MaxMs:F1} |");
}

/// <summary>Runs requests with a fixed number of concurrent senders and measures each one.</summary>
public static class LoadRun
{
    public static async Task<LoadResult> RunAsync(string name, int requests, int concurrency, Func<int, Task<bool>> send)
    {
        var latencies = new double[requests];
        var succeeded = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await send(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (ok)
                {
                    Interlocked.Increment(ref succeeded);
                }
            }
        }));
        clock.Stop();
        Array.Sort(latencies);
        return new LoadResult(name, requests, succeeded, clock.Elapsed,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1]);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    public static bool IsOk(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.OK;
}
