using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Hosting;

public sealed class SignInPageTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Fact]
    public async Task The_sign_in_page_says_Sign_in_and_shows_no_developer_boilerplate()
    {
        using var client = app.CreateClient();

        var page = await client.GetStringAsync(IdentityPages.Login);

        page.Should().Contain("<h1>Sign in</h1>").And.Contain(">Sign in</button>");
        page.Should().NotContain("Log in").And.NotContain("external authentication services").And.NotContain("go.microsoft.com");
    }

    [Fact]
    public async Task Signing_in_through_it_still_works()
    {
        var user = await app.CreateUserAsync();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

        var response = await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        response.Headers.Location!.ToString().Should().Be("/");
    }
}
