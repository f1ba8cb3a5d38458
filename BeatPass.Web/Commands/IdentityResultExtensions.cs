using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Commands;

internal static class IdentityResultExtensions
{
    /// <summary>For set-up code (seeding, commands) where a failed Identity call is a bug: throws with its errors.</summary>
    public static void ThrowIfFailed(this IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
