using System.Net;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Security;

public sealed class SignInLockoutTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_so_even_the_right_one_is_refused()
    {
        var user = await app.CreateUserAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        for (var i = 0; i < 4; i++)
        {
            (await IdentityForms.SignInAsync(client, user.Email!, "Wrong-password-1")).StatusCode.Should().Be(HttpStatusCode.OK, "the form shows an error");
        }

        var fifth = await IdentityForms.SignInAsync(client, user.Email!, "Wrong-password-1");
        fifth.Headers.Location!.ToString().Should().Contain(IdentityPages.Lockout);
        var response = await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Contain(IdentityPages.Lockout);
    }

    [Fact]
    public async Task The_right_password_signs_in_after_fewer_failures()
    {
        var user = await app.CreateUserAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await IdentityForms.SignInAsync(client, user.Email!, "Wrong-password-1");

        var response = await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().NotContain("Lockout");
    }

    [Fact]
    public async Task A_staff_member_who_loses_the_role_is_no_longer_current_and_page_loads_recheck_within_a_minute()
    {
        var staff = await app.CreateStaffAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>();
        var identityOptions = scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value;
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<BeatPassUser>>().CreateUserPrincipalAsync(staff);
        (await IdentityRevalidatingAuthenticationStateProvider.IsCurrentAsync(users, identityOptions, principal)).Should().BeTrue();

        (await users.RemoveFromRoleAsync((await users.FindByIdAsync(staff.Id))!, BeatPassRoles.Staff)).Succeeded.Should().BeTrue();

        (await IdentityRevalidatingAuthenticationStateProvider.IsCurrentAsync(users, identityOptions, principal)).Should().BeFalse();
        scope.ServiceProvider.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value.ValidationInterval
            .Should().BeLessThanOrEqualTo(TimeSpan.FromMinutes(1), "pages re-read roles from the cookie's account this often");
        // An open tab's circuit re-checks on its own clock: DeveloperAccessAdminFlowTests watches one lose the admin page.
    }
}
