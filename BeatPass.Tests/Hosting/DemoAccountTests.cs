using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Hosting;

public sealed class DemoAccountTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Theory]
    [InlineData(DemoAccounts.StaffEmail, false, true)]
    [InlineData(DemoAccounts.DeveloperEmail, true, false)]
    [InlineData(DemoAccounts.ListenerEmail, false, false)]
    public async Task Development_seeds_the_demo_accounts_the_readme_lists(string email, bool hasDeveloperAccess, bool isStaff)
    {
        _ = app.Server; // starts the app, which seeds
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>();

        var user = await users.FindByEmailAsync(email);

        user.Should().NotBeNull();
        user!.HasDeveloperAccess.Should().Be(hasDeveloperAccess);
        user.EmailConfirmed.Should().BeTrue();
        (await users.IsInRoleAsync(user, BeatPassRoles.Staff)).Should().Be(isStaff);
        (await users.CheckPasswordAsync(user, DemoAccounts.Password)).Should().BeTrue();
    }
}
