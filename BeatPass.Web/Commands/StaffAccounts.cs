using BeatPass.Core.Data;
using BeatPass.Web.Identity;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Commands;

internal static class StaffAccounts
{
    /// <summary>Puts the account in the Staff role, creating the role the first time.</summary>
    public static async Task AddToStaffAsync(IServiceProvider services, BeatPassUser user)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(BeatPassRoles.Staff))
        {
            (await roles.CreateAsync(new IdentityRole(BeatPassRoles.Staff))).ThrowIfFailed();
        }

        var users = services.GetRequiredService<UserManager<BeatPassUser>>();
        if (!await users.IsInRoleAsync(user, BeatPassRoles.Staff))
        {
            (await users.AddToRoleAsync(user, BeatPassRoles.Staff)).ThrowIfFailed();
        }
    }
}
