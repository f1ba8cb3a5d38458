using System.Net;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Security;

/// <summary>Wrong passwords pause signing in from where they come, never the owner elsewhere, and never tell whether an account exists.</summary>
public sealed class SignInPauseTests(FailedAuthenticationLimitTests.App app) : IClassFixture<FailedAuthenticationLimitTests.App>
{
    [Fact]
    public async Task A_stranger_who_knows_the_email_pauses_only_their_own_address_and_the_owner_is_told()
    {
        var owner = await app.CreateUserAsync();
        var stranger = Client("203.0.113.66");

        for (var i = 0; i < 4; i++)
        {
            (await IdentityForms.SignInAsync(stranger, owner.Email!, "Wrong-password-1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await IdentityForms.SignInAsync(stranger, owner.Email!, "Wrong-password-1")).Headers.Location!.ToString().Should().Contain(IdentityPages.Lockout);
        (await IdentityForms.SignInAsync(stranger, owner.Email!, BeatPassAppFactory.Password)).Headers.Location!.ToString()
            .Should().Contain(IdentityPages.Lockout, "even the right password waits, from the stranger's address");

        var fromHome = await IdentityForms.SignInAsync(Client("198.51.100.77"), owner.Email!, BeatPassAppFactory.Password);

        fromHome.StatusCode.Should().Be(HttpStatusCode.Redirect);
        fromHome.Headers.Location!.ToString().Should().NotContain("Lockout").And.NotContain("Login", "the owner, elsewhere, is not kept out");
        var notice = await app.Mail.WaitForMessageAsync(owner.Email!, m => m.Subject == "Wrong passwords were tried on your BeatPass account");
        notice.TextBody.Should().Contain("203.0.113.66");
        (await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.SubjectUserId == owner.Id && e.Action == AuditAction.SignInPaused))).Should().Be(1);
    }

    [Fact]
    public async Task An_email_without_an_account_pauses_exactly_as_one_with_an_account()
    {
        var owner = await app.CreateUserAsync();
        var nobody = TestUsers.NewEmail("nobody");
        var guesser = Client("203.0.113.67");

        var forAccount = new List<string>();
        var forNobody = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            forAccount.Add(Answer(await IdentityForms.SignInAsync(guesser, owner.Email!, "Wrong-password-1")));
            forNobody.Add(Answer(await IdentityForms.SignInAsync(guesser, nobody, "Wrong-password-1")));
        }

        forNobody.Should().Equal(forAccount);
        forAccount.Should().Equal("form", "form", "form", "form", IdentityPages.Lockout, IdentityPages.Lockout);
    }

    private static string Answer(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.Redirect
        ? response.Headers.Location!.ToString().Split('?')[0]
        : "form";

    private HttpClient Client(string address)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(FailedAuthenticationLimitTests.App.ClientAddressHeader, address);
        return client;
    }
}
