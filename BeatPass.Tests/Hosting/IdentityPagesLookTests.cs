using System.Net;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Hosting;

/// <summary>
/// Every Identity UI page a person can open wears the BeatPass look and voice: the top bar, no Bootstrap, "Sign in"
/// and never "Log in", no developer boilerplate. (OneLookTests check the main ones in a browser.)
/// </summary>
public sealed class IdentityPagesLookTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    public static TheoryData<string> AnonymousPages =>
    [
        IdentityPages.Login,
        IdentityPages.Register,
        IdentityPages.RegisterConfirmation + "?email=someone@example.com",
        IdentityPages.ForgotPassword,
        IdentityPages.ForgotPasswordConfirmation,
        IdentityPages.ResetPassword + "?code=abc",
        IdentityPages.ResetPasswordConfirmation,
        IdentityPages.ResendEmailConfirmation,
        IdentityPages.Lockout,
        IdentityPages.Logout,
        IdentityPages.AccountDeleted,
    ];

    public static TheoryData<string> AccountPages =>
    [
        IdentityPages.Email,
        IdentityPages.ChangePassword,
        IdentityPages.TwoFactorAuthentication,
        IdentityPages.EnableAuthenticator,
        IdentityPages.ResetAuthenticator,
        IdentityPages.PersonalData,
        IdentityPages.DeletePersonalData,
        IdentityPages.AccessDenied,
    ];

    [Theory]
    [MemberData(nameof(AnonymousPages))]
    public async Task Pages_before_sign_in_are_in_the_BeatPass_look(string path)
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldBeInTheBeatPassLook(await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(AccountPages))]
    public async Task Account_pages_are_in_the_BeatPass_look_inside_Account_Settings(string path)
    {
        var user = await app.CreateUserAsync();
        using var client = app.CreateClient(new() { HandleCookies = true });
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        var response = await client.GetAsync(path);

        var html = await response.Content.ReadAsStringAsync();
        ShouldBeInTheBeatPassLook(html);
        if (path.Contains("/Manage/"))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            html.Should().Contain("Account Settings sections", "the page sits in Account Settings' navigation")
                .And.NotContain("Manage your account");
        }
        else
        {
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            html.Should().Contain("href=\"/account/settings\"").And.Contain("href=\"/\"");
        }
    }

    [Fact]
    public async Task The_Identity_profile_page_is_Account_Settings_own_Profile()
    {
        var user = await app.CreateUserAsync();
        using var client = app.CreateClient(new() { HandleCookies = true, AllowAutoRedirect = false });
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        var response = await client.GetAsync(IdentityPages.Manage);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Be("/account/settings");
    }

    [Fact]
    public async Task A_wrong_address_gets_the_BeatPass_Page_not_found_but_the_API_keeps_its_plain_404()
    {
        using var client = app.CreateClient();

        var page = await client.GetAsync("/no-such-page");
        var api = await client.GetAsync("/api/v1/no-such-thing");

        page.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await page.Content.ReadAsStringAsync()).Should().Contain("Page not found").And.Contain("href=\"/account/settings\"");
        api.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await api.Content.ReadAsStringAsync()).Should().NotContain("Page not found");
    }

    private static void ShouldBeInTheBeatPassLook(string html)
    {
        html.Should().Contain("mud-appbar").And.Contain(">BeatPass<");
        html.Should().NotContainEquivalentOf("bootstrap");
        html.Should().NotContainEquivalentOf("log in").And.NotContainEquivalentOf("logged").And.NotContain("Login</");
        html.Should().NotContain("external authentication").And.NotContain("go.microsoft.com").And.NotContain("aka.ms");
    }
}
