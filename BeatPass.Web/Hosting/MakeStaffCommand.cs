using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Hosting;

/// <summary><c>dotnet run --project BeatPass.Web -- make-staff someone@example.com</c>: makes the first staff member.</summary>
internal static class MakeStaffCommand
{
    public const string Name = "make-staff";

    public static async Task<int> RunAsync(IServiceProvider services, string[] arguments, TextWriter output, TextWriter error)
    {
        if (arguments is not [var email] || string.IsNullOrWhiteSpace(email))
        {
            await error.WriteLineAsync("Usage: dotnet run --project BeatPass.Web -- make-staff <email>");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            await error.WriteLineAsync($"No account uses the email '{email}'. Register it in the app first, then run make-staff again.");
            return 1;
        }

        if (await users.IsInRoleAsync(user, BeatPassRoles.Staff))
        {
            await output.WriteLineAsync($"{email} is already staff.");
            return 0;
        }

        await StaffAccounts.AddToStaffAsync(scope.ServiceProvider, user);
        await output.WriteLineAsync($"{email} is now staff. Sign out and in again to see the admin page.");
        return 0;
    }
}
