namespace BeatPass.Core.Data;

public static class BeatPassRoles
{
    public const string Staff = "Staff";
}
