using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using GoldbachActors.Contracts.Privacy;

namespace GoldbachActors.Contracts;

/// <summary>
/// The identity of one citizen's grain: the tenant (the WhatsApp business number's <c>phone_number_id</c>) and
/// the citizen's stable WhatsApp identity. The identity is the business-scoped user id (BSUID, e.g.
/// <c>DE.1349120865530274191</c>) when Meta sends one, otherwise the legacy <c>wa_id</c> (digits). The phone
/// number is an attribute of the citizen, never part of the key.
/// </summary>
/// <remarks>
/// Grain key format: <c>{tenant}/{identity}</c>. Staff API resource name:
/// <c>tenants/{tenant}/conversations/{identity}</c>. Table key: <c>{tenant}_{identity}</c>. All are produced (and the
/// first two parsed) only here.
/// </remarks>
public readonly partial record struct CitizenKey
{
    private const string ResourcePrefix = "tenants/";
    private const string ConversationsSegment = "/conversations/";
    private const string AnonymousPrefix = "ZZ.erased";

    private CitizenKey(string tenant, string identity)
    {
        Tenant = tenant;
        Identity = identity;
    }

    /// <summary>The WhatsApp business number's <c>phone_number_id</c>.</summary>
    public string Tenant { get; }

    /// <summary>The citizen's BSUID or, for payloads without one, the <c>wa_id</c>.</summary>
    [PersonalIdentifier]
    public string Identity { get; }

    /// <summary>True when the identity is a business-scoped user id rather than a legacy <c>wa_id</c>.</summary>
    public bool IsBusinessScopedUserId => BsuidPattern().IsMatch(Identity);

    /// <summary>The Orleans grain key.</summary>
    public string GrainKey => $"{Tenant}/{Identity}";

    /// <summary>
    /// The key of this citizen's rows in our own tables (history pages: the partition key), <c>{tenant}_{identity}</c>:
    /// Azure Table keys may not hold "/".
    /// </summary>
    public string StorageKey => $"{Tenant}_{Identity}";

    /// <summary>The staff API resource name of this citizen's conversation.</summary>
    public string ResourceName => $"{ResourcePrefix}{Tenant}{ConversationsSegment}{Identity}";

    /// <summary>Creates a key, validating both parts.</summary>
    /// <exception cref="FormatException">A part is not a valid tenant id, BSUID or wa_id.</exception>
    public static CitizenKey Create(string tenant, string identity)
    {
        if (!TenantId.IsValid(tenant))
        {
            throw new FormatException("A tenant is a WhatsApp phone_number_id: 1 to 32 digits.");
        }
        if (!IsValidIdentity(identity))
        {
            throw new FormatException(
                "A citizen identity is a BSUID (country code, '.', up to 128 letters or digits) or a wa_id (5 to 20 digits).");
        }
        return new CitizenKey(tenant, identity);
    }

    /// <summary>
    /// A stand-in for an erased citizen where a count must keep them (a broadcast's recipients, the messaging limit's
    /// 24 hours): a key of the right form that names nobody ("ZZ" is a code no country has).
    /// </summary>
    public static CitizenKey Anonymous(string tenant) => Create(tenant, $"{AnonymousPrefix}{Guid.NewGuid():N}");

    /// <summary>True for a stand-in made by <see cref="Anonymous"/>.</summary>
    public bool IsAnonymous => Identity.StartsWith(AnonymousPrefix, StringComparison.Ordinal);

    /// <summary>True when <paramref name="identity"/> is a BSUID or a wa_id.</summary>
    public static bool IsValidIdentity([NotNullWhen(true)] string? identity) =>
        identity is not null && (BsuidPattern().IsMatch(identity) || WaIdPattern().IsMatch(identity));

    /// <summary>Parses a grain key (<c>{tenant}/{identity}</c>).</summary>
    public static CitizenKey ParseGrainKey(string grainKey)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new FormatException("A citizen grain key has the form '{tenant}/{identity}'.");
        }
        return Create(grainKey[..slash], grainKey[(slash + 1)..]);
    }

    /// <summary>Parses a staff API resource name (<c>tenants/{tenant}/conversations/{identity}</c>).</summary>
    public static bool TryParseResourceName(string? name, out CitizenKey key)
    {
        key = default;
        if (name is null || !name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = name.AsSpan(ResourcePrefix.Length);
        var separator = rest.IndexOf(ConversationsSegment, StringComparison.Ordinal);
        if (separator <= 0)
        {
            return false;
        }
        var tenant = rest[..separator].ToString();
        var identity = rest[(separator + ConversationsSegment.Length)..].ToString();
        if (!TenantId.IsValid(tenant) || !IsValidIdentity(identity))
        {
            return false;
        }
        key = new CitizenKey(tenant, identity);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => GrainKey;

    [GeneratedRegex("^[A-Z]{2}\\.[A-Za-z0-9]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex BsuidPattern();

    [GeneratedRegex("^[0-9]{5,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex WaIdPattern();
}
