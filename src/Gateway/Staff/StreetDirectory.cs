using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GoldbachActors.Gateway.Staff;

/// <summary>One address of the town's street list.</summary>
public sealed record StreetAddress(string Street, string HouseNumber, double Latitude, double Longitude)
{
    public string Text => $"{Street} {HouseNumber}";
}

/// <summary>What matching a typed address gave: the address, or why not with what the list has instead.</summary>
public sealed record StreetMatch(StreetAddress? Address, IReadOnlyList<string> Suggestions);

/// <summary>
/// The town's own street and house-number list (tenant setting <c>StreetListFile</c>), read offline: no outside
/// geocoder learns what citizens report. A CSV file, <c>Straße;Hausnummer;Breite;Länge</c> (WGS 84, decimal degrees,
/// point or comma), <c>#</c> comments and a header allowed. Typed addresses match however the street is written
/// ("Aschaffenburger Str. 5", "aschaffenburger strasse 5a", "Ringstraße 4 a, Goldbach").
/// </summary>
public sealed partial class StreetDirectory
{
    private static readonly ConcurrentDictionary<string, (DateTime Written, StreetDirectory Directory)> Loaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<StreetAddress>> _byStreet;

    private StreetDirectory(Dictionary<string, List<StreetAddress>> byStreet) => _byStreet = byStreet;

    public int Count => _byStreet.Values.Sum(a => a.Count);

    /// <summary>The list in <paramref name="path"/>, read again when the file changed.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">A line that is not <c>Straße;Hausnummer;Breite;Länge</c> (its number is named).</exception>
    public static StreetDirectory For(string path)
    {
        var full = Path.GetFullPath(path);
        var written = File.GetLastWriteTimeUtc(full);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Das Straßenverzeichnis {full} fehlt.", full);
        }
        if (Loaded.TryGetValue(full, out var known) && known.Written == written)
        {
            return known.Directory;
        }
        var directory = Parse(File.ReadLines(full, Encoding.UTF8));
        Loaded[full] = (written, directory);
        return directory;
    }

    public static StreetDirectory Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var byStreet = new Dictionary<string, List<StreetAddress>>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = line.Split(';');
            if (fields.Length != 4)
            {
                throw new FormatException($"Straßenverzeichnis, Zeile {number}: erwartet Straße;Hausnummer;Breite;Länge.");
            }
            if (!TryDegrees(fields[2], -90, 90, out var latitude) || !TryDegrees(fields[3], -180, 180, out var longitude))
            {
                if (byStreet.Count == 0 && number <= 3)
                {
                    continue; // the header
                }
                throw new FormatException($"Straßenverzeichnis, Zeile {number}: Breite und Länge sind Dezimalgrad.");
            }
            var address = new StreetAddress(fields[0].Trim(), fields[1].Trim(), latitude, longitude);
            var key = StreetKey(address.Street);
            if (key.Length == 0 || address.HouseNumber.Length == 0)
            {
                throw new FormatException($"Straßenverzeichnis, Zeile {number}: Straße und Hausnummer fehlen.");
            }
            if (!byStreet.TryGetValue(key, out var addresses))
            {
                byStreet[key] = addresses = [];
            }
            addresses.Add(address);
        }
        return new StreetDirectory(byStreet);
    }

    /// <summary>The address <paramref name="typed"/> names, or suggestions: the street's house numbers, or similar streets.</summary>
    public StreetMatch Find(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        var m = Typed().Match(typed.Split(',')[0].Trim());
        if (!m.Success)
        {
            return new StreetMatch(null, []);
        }
        var key = StreetKey(m.Groups["street"].Value);
        var houseNumber = HouseKey(m.Groups["number"].Value);
        if (!_byStreet.TryGetValue(key, out var addresses))
        {
            var similar = _byStreet.Where(s => s.Key.StartsWith(key[..Math.Min(4, key.Length)], StringComparison.Ordinal) || s.Key.Contains(key, StringComparison.Ordinal))
                .Select(s => s.Value[0].Street).Take(5).ToList();
            return new StreetMatch(null, similar);
        }
        var found = addresses.FirstOrDefault(a => HouseKey(a.HouseNumber) == houseNumber);
        return found is not null
            ? new StreetMatch(found, [])
            : new StreetMatch(null, [.. addresses.Select(a => a.Text).Take(12)]);
    }

    // "Aschaffenburger Str." = "aschaffenburgerstrasse": case, ß, "Str."/"Strasse"/"Straße", spaces and hyphens do not count.
    internal static string StreetKey(string street)
    {
        var text = street.Trim().ToLowerInvariant().Replace("ß", "ss", StringComparison.Ordinal);
        text = StreetWord().Replace(text, "strasse");
        return new string([.. text.Where(char.IsLetterOrDigit)]);
    }

    private static string HouseKey(string number) => new([.. number.ToLowerInvariant().Where(char.IsLetterOrDigit)]);

    private static bool TryDegrees(string text, double min, double max, out double value) =>
        double.TryParse(text.Trim().Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    [GeneratedRegex(@"^(?<street>.*?\D)\s*(?<number>\d+\s*[a-zA-Z]?)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Typed();

    [GeneratedRegex(@"(str\.|str\b|strasse\b)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex StreetWord();
}
