using System.Security.Claims;
using GoldbachActors.Contracts;
using GoldbachActors.Gateway.Staff;

namespace GoldbachActors.Tests.Gateway;

/// <summary>A provider's claims become staff claims by the configured table (pure logic; the real provider is in StaffSignInTests).</summary>
public sealed class StaffTokenClaimsTests
{
    // Entra ID: app roles in "roles", the object id as the stable subject, the town by a group's object id.
    private static readonly StaffClaimMapping Entra = new()
    {
        StaffId = "oid",
        Roles = { ["Posteingang.Bearbeitung"] = StaffRoles.Agent, ["Posteingang.Leitung"] = StaffRoles.Supervisor },
        GroupTenants = { ["5b1c0e0a-2f4e-4a8e-9c55-0f6d7f3b1a20"] = "106540352242922" },
    };

    // Keycloak: realm roles flattened into "roles" by a mapper, groups with their full path.
    private static readonly StaffClaimMapping Keycloak = new()
    {
        Roles = { ["goldbach-agent"] = StaffRoles.Agent, ["goldbach-admin"] = StaffRoles.Admin },
        GroupTenants = { ["/gemeinden/markt-goldbach"] = "106540352242922" },
    };

    private static Dictionary<string, string> Mapped(StaffClaimMapping mapping, params (string Type, string Value)[] claims) =>
        StaffTokenClaims.Map(claims.Select(c => new Claim(c.Type, c.Value)), mapping).ToDictionary(c => c.Type, c => c.Value);

    [Fact]
    public void An_Entra_token_gives_its_object_id_the_highest_mapped_role_and_the_town_of_its_group()
    {
        var staff = Mapped(Entra, ("sub", "pairwise-xyz"), ("oid", "0f1e2d3c"), ("name", "Erika Muster"),
            ("roles", "Posteingang.Bearbeitung"), ("roles", "Posteingang.Leitung"), ("roles", "Other.App"),
            ("groups", "00000000-0000-0000-0000-000000000000"), ("groups", "5b1c0e0a-2f4e-4a8e-9c55-0f6d7f3b1a20"));

        Assert.Equal("0f1e2d3c", staff[StaffClaims.StaffId]);
        Assert.Equal(StaffRoles.Supervisor, staff[StaffClaims.Role]);
        Assert.Equal("106540352242922", staff[StaffClaims.Tenant]);
        Assert.Equal("Erika Muster", staff[StaffTokenClaims.DisplayName]);
        Assert.False(staff.ContainsKey(StaffTokenClaims.Refusal));
    }

    [Fact]
    public void A_department_s_group_or_claim_makes_department_staff_and_other_staff_stay_without_one()
    {
        var byGroup = new StaffClaimMapping
        {
            Roles = { ["goldbach-agent"] = StaffRoles.Agent },
            GroupTenants = { ["markt-goldbach"] = "106540352242922" },
            GroupDepartments = { ["abteilung-bauhof"] = "bauhof" },
        };
        var team = Mapped(byGroup, ("sub", "b-1"), ("roles", "goldbach-agent"), ("groups", """["markt-goldbach","abteilung-bauhof"]"""));
        Assert.Equal(("bauhof", StaffRoles.Agent), (team[StaffClaims.Department], team[StaffClaims.Role]));
        Assert.False(Mapped(byGroup, ("sub", "v-1"), ("roles", "goldbach-agent"), ("groups", "markt-goldbach")).ContainsKey(StaffClaims.Department));
        // A provider's own "department" claim counts only where the mapping names it.
        Assert.False(Mapped(byGroup, ("sub", "x"), ("roles", "goldbach-agent"), ("groups", "markt-goldbach"), ("department", "bauhof")).ContainsKey(StaffClaims.Department));
        var byClaim = new StaffClaimMapping { Roles = byGroup.Roles, GroupTenants = byGroup.GroupTenants, DepartmentClaim = "extension_abteilung" };
        Assert.Equal("ordnungsamt", Mapped(byClaim, ("sub", "o-1"), ("roles", "goldbach-agent"), ("groups", "markt-goldbach"), ("extension_abteilung", "ordnungsamt"))[StaffClaims.Department]);
    }

    [Fact]
    public void A_Keycloak_token_with_its_groups_as_one_json_array_claim_is_read_and_a_smuggled_role_claim_counts_for_nothing()
    {
        var staff = Mapped(Keycloak, ("sub", "kc-1"), ("roles", """["goldbach-agent","goldbach-admin"]"""),
            ("groups", """["/gemeinden/markt-goldbach"]"""), (StaffClaims.Role, StaffRoles.Admin), (StaffClaims.Tenant, "999"));

        Assert.Equal((StaffRoles.Admin, "106540352242922"), (staff[StaffClaims.Role], staff[StaffClaims.Tenant]));

        var agent = Mapped(Keycloak, ("sub", "kc-2"), ("roles", "goldbach-agent"), (StaffClaims.Role, StaffRoles.Admin),
            ("groups", "/gemeinden/markt-goldbach"));
        Assert.Equal(StaffRoles.Agent, agent[StaffClaims.Role]);
    }

    [Theory]
    [InlineData("", "goldbach-agent", "/gemeinden/markt-goldbach", "keine Person")]
    [InlineData("kc-3", "", "/gemeinden/markt-goldbach", "keine Rolle")]
    [InlineData("kc-3", "goldbach-viewer", "/gemeinden/markt-goldbach", "keine Rolle")]
    [InlineData("kc-3", "goldbach-agent", "/gemeinden/nachbarort", "keiner Gemeinde")]
    public void A_token_without_a_person_a_mapped_role_or_a_town_gives_no_staff_member_and_says_why(string sub, string role, string group, string reason)
    {
        var refused = Mapped(Keycloak, ("sub", sub), ("roles", role), ("groups", group));

        Assert.Equal([StaffTokenClaims.Refusal], refused.Keys);
        Assert.Contains(reason, refused[StaffTokenClaims.Refusal], StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_claim_names_the_town_directly_when_configured()
    {
        var mapping = new StaffClaimMapping { TenantClaim = "gemeinde", Roles = { ["goldbach-agent"] = StaffRoles.Agent } };

        Assert.Equal("106540352242922", Mapped(mapping, ("sub", "s"), ("roles", "goldbach-agent"), ("gemeinde", "106540352242922"))[StaffClaims.Tenant]);
        Assert.Contains("keiner Gemeinde", Mapped(mapping, ("sub", "s"), ("roles", "goldbach-agent"), ("gemeinde", "Goldbach"))[StaffTokenClaims.Refusal], StringComparison.Ordinal);
    }
}
