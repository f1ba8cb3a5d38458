using BeatPass.Core.Data;
using BeatPass.Web.Identity;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Commands;

/// <summary>Accounts to try the app with. Seeded in Development, or by the `seed-demo` command; listed in the README.</summary>
internal static class DemoAccounts
{
    public const string Password = "BeatPass-demo-1";
    public const string StaffEmail = "staff@beatpass.test";
    public const string DeveloperEmail = "developer@beatpass.test";
    public const string ListenerEmail = "listener@beatpass.test";

    public static async Task SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

        await CreateAsync(StaffEmail, hasDeveloperAccess: false, isStaff: true);
        await CreateAsync(DeveloperEmail, hasDeveloperAccess: true, isStaff: false);
        await CreateAsync(ListenerEmail, hasDeveloperAccess: false, isStaff: false);

        async Task CreateAsync(string email, bool hasDeveloperAccess, bool isStaff)
        {
            if (await users.FindByEmailAsync(email) is not null)
            {
                return;
            }

            var user = new BeatPassUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                HasDeveloperAccess = hasDeveloperAccess,
                CreatedAt = now,
            };
            (await users.CreateAsync(user, Password)).ThrowIfFailed();
            if (isStaff)
            {
                await StaffAccounts.AddToStaffAsync(scope.ServiceProvider, user);
            }
        }
    }
}
