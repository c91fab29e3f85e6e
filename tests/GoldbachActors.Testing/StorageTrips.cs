using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GoldbachActors.ServiceDefaults;

namespace GoldbachActors.Testing;

/// <summary>
/// Counts the round trips to Azure Storage that the hosts in this process make (goldbach.storage.requests, by
/// table and method), so that a run can say how many storage calls a message cost. With a port, only the calls to
/// that storage account's endpoint (one test system's Azurite) count.
/// </summary>
public sealed class StorageTrips : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public StorageTrips(int? port = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == StorageRequestCounter.InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? table = null, method = null, service = null;
            int? at = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "table": table = tag.Value as string; break;
                    case "method": method = tag.Value as string; break;
                    case "service": service = tag.Value as string; break;
                    case "server.port": at = tag.Value as int?; break;
                }
            }
            if (port is { } wanted && at != wanted)
            {
                return;
            }
            _counts.AddOrUpdate($"{service} {table} {method}".Replace("  ", " ", StringComparison.Ordinal), value, (_, c) => c + value);
        });
        _listener.Start();
    }

    /// <summary>The calls so far to a table, with one method or all.</summary>
    public long Count(string table, string? method = null) =>
        _counts.Where(p => p.Key.StartsWith($"table {table} ", StringComparison.Ordinal) && (method is null || p.Key.EndsWith(" " + method, StringComparison.Ordinal))).Sum(p => p.Value);

    /// <summary>The counts so far, by "service table method".</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    /// <summary>What happened between two snapshots, largest first.</summary>
    public static IReadOnlyList<(string What, long Count)> Between(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        [.. after.Select(p => (p.Key, p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Item2 > 0).OrderByDescending(p => p.Item2)];

    /// <summary>The storage round trips another process has counted so far, from its Prometheus endpoint.</summary>
    public static async Task<long> ScrapeAsync(HttpClient http, Uri host)
    {
        ArgumentNullException.ThrowIfNull(http);
        var text = await http.GetStringAsync(new Uri(host, "/metrics"));
        long sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("goldbach_storage_requests_total{", StringComparison.Ordinal)
                && double.TryParse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                sum += (long)value;
            }
        }
        return sum;
    }

    public void Dispose() => _listener.Dispose();
}
