using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GoldbachActors.Contracts.Configuration;

/// <summary>
/// A tenant's settings as one JSON document: the same shape as its configuration section
/// (<c>Goldbach:Tenants:{phone_number_id}</c>), so that what an admin saves and what a file seeds read alike.
/// </summary>
public static class TenantSettingsDocument
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Umlauts and emoji stay readable in the stored document and in the history.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string Serialize(TenantOptions settings) => JsonSerializer.Serialize(settings, Options);

    /// <summary>The settings the document holds.</summary>
    /// <exception cref="FormatException">Not a settings document (with the reason, in German, for the admin).</exception>
    public static TenantOptions Deserialize(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return JsonSerializer.Deserialize<TenantOptions>(document, Options)
                ?? throw new FormatException("Die Einstellungen sind leer.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Die Einstellungen sind kein gültiges Dokument ({ex.Path}): {ex.Message}", ex);
        }
    }

    /// <summary>Each top-level setting (<c>OfficeHours</c>, <c>Lists</c>, …) as its own JSON, to compare two versions.</summary>
    public static IReadOnlyDictionary<string, string> Sections(string document)
    {
        using var parsed = JsonDocument.Parse(document);
        return parsed.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText(), StringComparer.Ordinal);
    }
}
