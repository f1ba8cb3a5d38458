using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Identity;

internal static class IdentityResultExtensions
{
    /// <summary>For calls whose failure is a bug (seeding, commands, a follow-up update): throws with its errors.</summary>
    public static void ThrowIfFailed(this IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
