using System.Collections.Frozen;
using System.Text.RegularExpressions;
using GoldbachActors.Contracts.Privacy;
using Microsoft.Extensions.Compliance.Redaction;

namespace GoldbachActors.ServiceDefaults.Privacy;

/// <summary>
/// The last line of defence for telemetry: replaces anything that looks like a citizen's identifier (a WhatsApp
/// user id such as <c>DE.1234567890</c>, a wa_id or phone number: 5 to 20 digits as the identity rule of
/// <c>CitizenKey</c> allows, with or without "+", or "+49 151 …") in log messages,
/// log fields, scopes, exception texts and span names and tags with its keyed hash, the same hash that classified
/// log parameters get. Our own code never logs identifiers in clear; this catches what libraries (Orleans' grain
/// ids, request paths) would otherwise carry out. The tenants' own <c>phone_number_id</c>s are kept: they are the
/// town's business numbers, not personal data.
/// </summary>
public sealed partial class PersonalDataScrubber(IRedactorProvider redactors, IEnumerable<string> businessNumbers)
{
    private readonly Redactor _redactor = redactors.GetRedactor(GoldbachTaxonomy.PersonalIdentifier);
    private readonly FrozenSet<string> _keep = businessNumbers.ToFrozenSet(StringComparer.Ordinal);

    // Not inside a longer word or number, not negative, not after ':' (ports, an Orleans silo address
    // "…:11111:123456789"). Every run of 5 to 20 digits, the identity rule's range: a 10-digit Norwegian or Danish
    // number is as personal as a German one. A few plain values of that length (sizes, counts) go too: privacy first.
    [GeneratedRegex(@"(?<![A-Za-z0-9:.\-])(?:[A-Z]{2}\.[A-Za-z0-9]{6,128}|\+?[0-9]{5,20}|\+[0-9]{1,4}(?:[ \-][0-9]{2,}){2,5})(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    /// <summary>The text with every identifier replaced by <c>#</c> and its keyed hash.</summary>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().IndexOfAnyInRange('0', '9') < 0
            ? text
            : Identifier().Replace(text, m => _keep.Contains(m.Value) ? m.Value : "#" + _redactor.Redact(m.Value));
    }

    /// <summary>A log or span value: text is scrubbed, numbers and other plain values stay as they are.</summary>
    public object? Scrub(object? value) => value switch
    {
        null => null,
        string text => Scrub(text),
        bool or byte or short or int or float or double or decimal or Enum or DateTime or DateTimeOffset or TimeSpan or Guid => value,
        // A long may be a phone number written as a number (7 digits and more: no number with its country code is
        // shorter), while counts and durations stay readable.
        long number => number is >= 1_000_000 or <= -1_000_000 ? Scrub(number.ToString(System.Globalization.CultureInfo.InvariantCulture)) : value,
        _ => Scrub(value.ToString() ?? ""),
    };
}
