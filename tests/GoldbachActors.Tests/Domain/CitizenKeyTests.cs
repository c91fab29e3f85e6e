using GoldbachActors.Contracts;

namespace GoldbachActors.Tests.Domain;

public sealed class CitizenKeyTests
{
    [Theory]
    [InlineData("106540352242922", "DE.1349120865530274191", true)]
    [InlineData("106540352242922", "4915112345678", false)]
    public void Grain_key_and_resource_name_round_trip(string tenant, string identity, bool isBsuid)
    {
        var key = CitizenKey.Create(tenant, identity);

        Assert.Equal(key, CitizenKey.ParseGrainKey(key.GrainKey));
        Assert.True(CitizenKey.TryParseResourceName(key.ResourceName, out var parsed));
        Assert.Equal(key, parsed);
        Assert.Equal(isBsuid, key.IsBusinessScopedUserId);
        Assert.Equal($"tenants/{tenant}/conversations/{identity}", key.ResourceName);
    }

    [Theory]
    [InlineData("", "DE.1")]
    [InlineData("12a", "DE.1")]
    [InlineData("1", "")]
    [InlineData("1", "de.1")]
    [InlineData("1", "DE.")]
    [InlineData("1", "+4915112345678")]
    [InlineData("1", "DE.12/../3")]
    public void Invalid_parts_are_refused(string tenant, string identity)
    {
        Assert.Throws<FormatException>(() => CitizenKey.Create(tenant, identity));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tenants/1/conversations/")]
    [InlineData("tenants//conversations/DE.1")]
    [InlineData("tenant/1/conversations/DE.1")]
    [InlineData("tenants/1/messages/DE.1")]
    public void Malformed_resource_names_do_not_parse(string? name)
    {
        Assert.False(CitizenKey.TryParseResourceName(name, out _));
    }
}
