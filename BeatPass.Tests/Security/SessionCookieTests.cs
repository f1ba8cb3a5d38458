using System.Net;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BeatPass.Tests.Security;

/// <summary>The cookies a browser keeps for BeatPass, where it is served over HTTPS.</summary>
public sealed class SessionCookieTests
{
    [Fact]
    public async Task Over_HTTPS_at_the_root_of_its_host_the_sign_in_cookie_is_a_Host_cookie_that_no_other_site_can_plant()
    {
        await using var app = new HttpsApp("https://settings.beatpass.test/");
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = app.PublicUrl,
            AllowAutoRedirect = false,
        });

        var form = await client.GetAsync(IdentityPages.Login);
        var signIn = await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var sessionCookie = SetCookies(signIn).Should().ContainSingle(c => c.StartsWith(WebApplicationBuilderExtensions.HostOnlySignInCookieName + "=")).Which;
        sessionCookie.Should().Contain("; secure").And.Contain("; path=/").And.NotContain("domain=");
        SetCookies(form).Should().Contain(c => c.StartsWith(".AspNetCore.Antiforgery."))
            .Which.Should().Contain("secure", "the antiforgery cookie only travels over HTTPS too");
        (await client.GetAsync(IdentityPages.Email)).StatusCode.Should().Be(HttpStatusCode.OK, "the browser is signed in with it");
    }

    [Fact]
    public async Task Under_a_path_the_sign_in_cookie_keeps_its_plain_name_since_a_Host_cookie_must_cover_the_whole_site()
    {
        await using var app = new HttpsApp("https://www.beatpass.test/settings");
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://www.beatpass.test"), AllowAutoRedirect = false });

        var signIn = await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        SetCookies(signIn).Should().ContainSingle(c => c.StartsWith(".AspNetCore.Identity.Application="))
            .Which.Should().Contain("secure");
    }

    /// <summary>The cookies the response sets, their attributes in lower case.</summary>
    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split('=', 2) is [var name, var rest] ? $"{name}={rest.ToLowerInvariant()}" : v)
            : [];

    private sealed class HttpsApp(string publicUrl) : BeatPassAppFactory
    {
        public override Uri PublicUrl => new(publicUrl);

        protected override string EnvironmentName => "Production";
    }
}
