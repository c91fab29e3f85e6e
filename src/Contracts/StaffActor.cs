namespace GoldbachActors.Contracts;

/// <summary>
/// The staff member behind a change, as the grain that applies it checks it: their stable id (recorded for staff
/// and the audit log only, never shown to the citizen) and their role. The gateway builds it from the caller's token.
/// </summary>
/// <param name="StaffId">Who acts.</param>
/// <param name="Role">One of <see cref="StaffRoles"/>.</param>
[GenerateSerializer, Immutable, Alias("goldbach.StaffActor")]
public sealed record StaffActor(
    [property: Id(0)] string StaffId,
    [property: Id(1)] string Role)
{
    /// <summary>A supervisor or an admin: reassigns conversations, reads the audit log, sends broadcasts, exports and erases.</summary>
    public bool IsSupervisor => Role is StaffRoles.Supervisor or StaffRoles.Admin;

    /// <summary>An admin: changes the tenant's settings (texts, office hours, categories, staff numbers, lists).</summary>
    public bool IsAdmin => Role is StaffRoles.Admin;

    /// <summary>
    /// Who works the staff coordination section (a staff number's conversation, consent and lists): supervisors and
    /// admins. A rule of its own, even while the same roles hold it.
    /// </summary>
    public bool WorksStaffSection => Role is StaffRoles.Supervisor or StaffRoles.Admin;

    public static StaffActor Agent(string staffId) => new(staffId, StaffRoles.Agent);

    public static StaffActor Supervisor(string staffId) => new(staffId, StaffRoles.Supervisor);
}
