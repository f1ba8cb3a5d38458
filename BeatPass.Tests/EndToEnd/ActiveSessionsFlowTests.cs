using System.Net;
using System.Text.RegularExpressions;
using BeatPass.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

/// <summary>Two browsers signed in as one account: one ends the other's session from Active Sessions.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ActiveSessionsFlowTests(BrowserFixture browser)
{
    private static readonly Regex SignInUrl = new(IdentityPages.Login);

    [BrowserFact]
    public async Task Signing_out_another_session_signs_out_its_open_tab_and_its_next_page_load_and_tokens_keep_working()
    {
        var user = await browser.App.CreateUserAsync();
        var token = await browser.App.CreateTokenAsync(user.Id);
        var here = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var there = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        await new DevelopersPage(there).OpenAsync();
        var sessions = new ActiveSessionsPage(here);

        await sessions.OpenAsync();
        await Expect(sessions.Rows).ToHaveCountAsync(2);
        await Expect(sessions.ThisDevice).ToHaveCountAsync(1);
        await Expect(sessions.ThisDevice).ToContainTextAsync("Chrome on Linux");
        await Expect(sessions.ThisDevice).ToContainTextAsync("127.0.0.1");
        await Expect(here.GetByText("API tokens are separate from your login session.", new() { Exact = false })).ToBeVisibleAsync();
        await here.ScreenshotAsync(new() { Path = Screenshots.PathFor("active-sessions.png"), FullPage = true });
        await sessions.OtherSessions.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(here.GetByText("Signed out Chrome on Linux.")).ToBeVisibleAsync();
        await Expect(sessions.Rows).ToHaveCountAsync(1);
        // The open Developers tab loses the account at its next re-check (every 2 s in tests, a minute in production).
        await Expect(there).ToHaveURLAsync(SignInUrl, new() { Timeout = 15_000 });
        await there.GotoAsync("/account/settings/developers");
        await Expect(there).ToHaveURLAsync(SignInUrl);
        (await browser.CallMeAsync(token.PlainText)).Should().Be(HttpStatusCode.OK, "ending a session never touches API tokens");
        await new DevelopersPage(here).OpenAsync();
    }

    [BrowserFact]
    public async Task Sign_out_of_all_other_sessions_asks_first_then_keeps_only_this_one()
    {
        var user = await browser.App.CreateUserAsync();
        var here = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var others = new[]
        {
            await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password),
            await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password),
        };
        var sessions = new ActiveSessionsPage(here);
        await sessions.OpenAsync();
        await Expect(sessions.Rows).ToHaveCountAsync(3);

        await here.GetByRole(AriaRole.Button, new() { Name = "Sign out of all other sessions" }).ClickAsync();
        var confirmation = here.GetByRole(AriaRole.Dialog, new() { Name = "Sign out of all other sessions?" });
        await Expect(confirmation).ToContainTextAsync("2 other sessions");
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(sessions.Rows).ToHaveCountAsync(3);

        await here.GetByRole(AriaRole.Button, new() { Name = "Sign out of all other sessions" }).ClickAsync();
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(here.GetByText("Signed out of 2 other sessions.")).ToBeVisibleAsync();
        await Expect(sessions.Rows).ToHaveCountAsync(1);
        await Expect(sessions.ThisDevice).ToHaveCountAsync(1);
        foreach (var other in others)
        {
            await other.GotoAsync("/account/settings");
            await Expect(other).ToHaveURLAsync(SignInUrl);
        }
    }
}
