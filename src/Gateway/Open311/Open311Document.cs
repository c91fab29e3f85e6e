using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;

namespace GoldbachActors.Gateway.Open311;

/// <summary>One record of an Open311 answer: its fields in the standard's order (a value may be null or a list).</summary>
internal sealed class Open311Record : List<KeyValuePair<string, object?>>
{
    public void Add(string name, object? value) => Add(new KeyValuePair<string, object?>(name, value));
}

/// <summary>
/// An Open311 GeoReport v2 answer as the standard wants it: XML (UTF-8, schemaless, without a namespace) with a root
/// element holding one element per record, or JSON in the "Spark convention" clients use (a list becomes a top-level
/// array). Text is UTF-8 in both; times are written by <see cref="Time"/>.
/// </summary>
internal static class Open311Document
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A W3C date and time with the town's offset, e.g. <c>2026-12-07T14:05:00+01:00</c>.</summary>
    public static string Time(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <param name="format"><c>json</c> or <c>xml</c>.</param>
    /// <param name="root">The XML root (e.g. <c>service_requests</c>).</param>
    /// <param name="element">The XML element of one record (e.g. <c>request</c>).</param>
    /// <param name="records">The records; one without a list (discovery) when <paramref name="single"/>.</param>
    /// <param name="single">Not a list: JSON writes one object, XML the record's fields under the root.</param>
    /// <param name="status">The HTTP status.</param>
    public static IResult Render(string format, string root, string element, IReadOnlyList<Open311Record> records, int status = StatusCodes.Status200OK, bool single = false)
    {
        if (format == "xml")
        {
            var buffer = new MemoryStream();
            using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
            {
                xml.WriteStartDocument();
                xml.WriteStartElement(root);
                foreach (var record in records)
                {
                    if (!single)
                    {
                        xml.WriteStartElement(element);
                    }
                    WriteXml(xml, record);
                    if (!single)
                    {
                        xml.WriteEndElement();
                    }
                }
                xml.WriteEndElement();
                xml.WriteEndDocument();
            }
            return Results.Text(Encoding.UTF8.GetString(buffer.ToArray()), "text/xml; charset=utf-8", Encoding.UTF8, status);
        }
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, JsonOptions))
        {
            if (single)
            {
                WriteJson(writer, records[0]);
            }
            else
            {
                writer.WriteStartArray();
                foreach (var record in records)
                {
                    WriteJson(writer, record);
                }
                writer.WriteEndArray();
            }
        }
        return Results.Text(Encoding.UTF8.GetString(json.ToArray()), "application/json; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>The standard's error list: <c>[{code, description}]</c> or <c>&lt;errors&gt;&lt;error&gt;…</c>.</summary>
    public static IResult Error(string format, int status, string description) =>
        Render(format is "xml" ? "xml" : "json", "errors", "error", [new Open311Record { { "code", status }, { "description", description } }], status);

    private static void WriteXml(XmlWriter xml, Open311Record record)
    {
        foreach (var (name, value) in record)
        {
            switch (value)
            {
                case IEnumerable<Open311Record> children:
                    xml.WriteStartElement(name);
                    foreach (var child in children)
                    {
                        xml.WriteStartElement(Singular(name));
                        WriteXml(xml, child);
                        xml.WriteEndElement();
                    }
                    xml.WriteEndElement();
                    break;
                case IEnumerable<string> items:
                    xml.WriteStartElement(name);
                    foreach (var item in items)
                    {
                        xml.WriteElementString(Singular(name), item);
                    }
                    xml.WriteEndElement();
                    break;
                default:
                    xml.WriteElementString(name, Text(value));
                    break;
            }
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, Open311Record record)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in record)
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case int number:
                    writer.WriteNumberValue(number);
                    break;
                case double number:
                    writer.WriteNumberValue(number);
                    break;
                case IEnumerable<Open311Record> children:
                    writer.WriteStartArray();
                    foreach (var child in children)
                    {
                        WriteJson(writer, child);
                    }
                    writer.WriteEndArray();
                    break;
                case IEnumerable<string> items:
                    writer.WriteStartArray();
                    foreach (var item in items)
                    {
                        writer.WriteStringValue(item);
                    }
                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteStringValue(Text(value));
                    break;
            }
        }
        writer.WriteEndObject();
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    // endpoints → endpoint, formats → format, attributes → attribute, values → value.
    private static string Singular(string name) => name.EndsWith('s') ? name[..^1] : name;
}
