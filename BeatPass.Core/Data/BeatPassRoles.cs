namespace BeatPass.Core.Data;

public static class BeatPassRoles
{
    public const string Staff = "Staff";

    /// <summary>The Staff role's name as Identity's role store keeps it (<c>AspNetRoles.NormalizedName</c>), for queries.</summary>
    public static readonly string StaffNormalized = Staff.ToUpperInvariant();
}
