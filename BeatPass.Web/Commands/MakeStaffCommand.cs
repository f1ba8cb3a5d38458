using System.Globalization;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Commands;

/// <summary><c>dotnet run --project BeatPass.Web -- make-staff someone@example.com</c>: makes a confirmed account staff.</summary>
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

        // Whoever registered an address that was never confirmed may not own it: never make such an account staff.
        var created = user.CreatedAt is { } at ? at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "unknown";
        await output.WriteLineAsync($"Account {user.Id}, email {user.Email}, created {created}.");
        if (!user.EmailConfirmed)
        {
            await error.WriteLineAsync($"{user.Email} has not been confirmed, so nobody has shown they own it. " +
                "Its owner must open the confirmation link emailed to them (or use \"Resend email confirmation\"), then run make-staff again.");
            return 1;
        }

        if (await users.IsInRoleAsync(user, BeatPassRoles.Staff))
        {
            await output.WriteLineAsync($"{user.Email} is already staff.");
            return 0;
        }

        await StaffAccounts.AddToStaffAsync(scope.ServiceProvider, user);
        await output.WriteLineAsync($"{user.Email} is now staff. Sign out and in again to see the admin page.");
        return 0;
    }
}
