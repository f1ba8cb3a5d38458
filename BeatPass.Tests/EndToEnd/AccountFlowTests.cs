using System.Net;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

/// <summary>An account's life around its tokens: registering, reloading, signing out, losing access.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Turning_on_two_factor_shows_the_recovery_codes_one_per_line_and_Copy_puts_them_on_the_clipboard()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        await page.GotoAsync(IdentityPages.EnableAuthenticator);
        await new EnableAuthenticatorPage(page).VerifyWithTheAppAsync();

        var codes = page.GetByRole(AriaRole.List, new() { Name = "Recovery codes" }).GetByRole(AriaRole.Listitem);
        await Expect(codes).ToHaveCountAsync(10);
        var shown = await codes.AllInnerTextsAsync();
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("recovery-codes.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Recovery codes copied.");
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).Split("\r\n").Should().Equal(shown);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true })).ToBeVisibleAsync(); // "Copied" goes back
        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Two-factor authentication" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Reset authenticator app" })).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task Signing_in_before_confirming_says_the_email_is_not_confirmed_and_sends_it_again()
    {
        var user = await browser.App.CreateUserAsync(emailConfirmed: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(IdentityPages.Login);
        await page.GetByLabel("Email").FillAsync(user.Email!);
        await page.GetByLabel("Password").FillAsync(BeatPassAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your email address is not confirmed yet.");
        await Expect(page.GetByText("Invalid login attempt.")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("sign-in-unconfirmed.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the confirmation email again" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("we've sent it a new link");
        await browser.App.Mail.WaitForMessageAsync(user.Email!, m => m.TextBody?.Contains("/Identity/Account/ConfirmEmail?") == true
            || m.HtmlBody?.Contains("/Identity/Account/ConfirmEmail?") == true);
    }

    [BrowserFact]
    public async Task A_new_account_registers_signs_in_and_sees_Developers_only_once_staff_grant_access()
    {
        var email = $"new-{Guid.NewGuid():N}@example.com";
        var page = await browser.NewPageAsync();
        await page.GotoAsync(IdentityPages.Register);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(BeatPassAppFactory.Password);
        await page.GetByLabel("Confirm password").FillAsync(BeatPassAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
        await Expect(page.Locator("a[href*='ConfirmEmail']")).ToHaveCountAsync(0); // only the inbox has the link
        var confirmation = await browser.App.Mail.WaitForMessageAsync(email);
        await page.GotoAsync(EmailLinks.Single(confirmation));
        await page.GetByLabel("Password").FillAsync(BeatPassAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();
        await new LoginPage(page).SignInAsync(email, BeatPassAppFactory.Password);

        var settings = new AccountSettingsPage(page);
        await settings.OpenAsync();
        await Expect(settings.DevelopersLink).ToHaveCountAsync(0);
        await page.GotoAsync("/account/settings/developers");
        await Expect(page.GetByText("API access is invite-only and granted on a case-by-case basis. To request access, contact contact@beatpass.ca, or ask here.")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("developers-without-access.png"), FullPage = true });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create token" })).ToHaveCountAsync(0);

        var staff = await browser.App.CreateStaffAsync();
        var userId = await browser.App.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        await browser.App.WithServiceAsync<DeveloperAccessService, bool>(async access =>
        {
            await access.GrantAsync(staff.Id, userId);
            return true;
        });

        await settings.OpenAsync();
        await settings.DevelopersLink.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create token" })).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task Reloading_while_the_new_token_is_shown_never_brings_it_back()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Reloaded");
        await developers.CreateButton.ClickAsync();
        await Expect(developers.NewToken).ToBeVisibleAsync();
        var shown = await developers.NewToken.InputValueAsync();

        await page.ReloadAsync();

        await Expect(developers.Row("Reloaded")).ToContainTextAsync(BeatPass.Core.ApiTokens.ApiTokenFormat.Hint(shown));
        await Expect(developers.ShownTokenDialog).ToHaveCountAsync(0);
        (await PageText.WithInputValuesAsync(page)).Should().NotContain(shown);
        (await browser.CallMeAsync(shown)).Should().Be(HttpStatusCode.OK, "the token was created; only its display is gone");
    }

    [BrowserFact]
    public async Task Of_two_tokens_the_one_not_deleted_keeps_working()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        var first = await CreateThroughPageAsync(developers, "First of two");
        var second = await CreateThroughPageAsync(developers, "Second of two");

        await developers.Row("First of two").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await developers.DeleteDialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(developers.Row("First of two")).ToHaveCountAsync(0);

        await Expect(developers.Row("Second of two")).ToBeVisibleAsync();
        (await browser.CallMeAsync(first)).Should().Be(HttpStatusCode.Unauthorized);
        (await browser.CallMeAsync(second)).Should().Be(HttpStatusCode.OK);
    }

    [BrowserFact]
    public async Task When_staff_revoke_access_the_accounts_tokens_stop_and_its_Developers_section_goes()
    {
        var (user, userPage, developers) = await browser.OpenDevelopersAsNewUserAsync();
        var token = await CreateThroughPageAsync(developers, "Revoked soon");
        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();
        await admin.FindAsync(user.Email!);

        // A click, not UncheckAsync: the switch stays on until the confirmation is answered.
        await admin.AccessSwitch(user.Email!).ClickAsync();
        var confirmation = staffPage.GetByRole(AriaRole.Dialog, new() { Name = "Revoke developer access?" });
        await Expect(confirmation).ToContainTextAsync("Its API token will stop working");
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        // The switch shows "off" from the click on; the snackbar is what says the revoke has happened.
        await Expect(staffPage.GetByText($"Developer access revoked from {user.Email}; 1 token deleted.")).ToBeVisibleAsync();
        await Expect(admin.AccessSwitch(user.Email!)).Not.ToBeCheckedAsync();

        (await browser.CallMeAsync(token)).Should().Be(HttpStatusCode.Unauthorized);
        var settings = new AccountSettingsPage(userPage);
        await settings.OpenAsync();
        await Expect(settings.DevelopersLink).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task Signing_out_leaves_the_accounts_tokens_working()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        var token = await CreateThroughPageAsync(developers, "Outlives the session");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        // It says so, rather than landing silently on the home page.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();
        await Expect(page.GetByText("You have signed out of BeatPass on this browser.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);

        (await browser.CallMeAsync(token)).Should().Be(HttpStatusCode.OK);
    }

    [BrowserFact]
    public async Task Signing_out_says_so_even_when_the_open_tab_finds_its_session_ended_before_the_answer_comes()
    {
        var (_, page, _) = await browser.OpenDevelopersAsNewUserAsync();
        // The tab re-checks its sign-in every 2 s here. Hold the sign-out's answer until that re-check, finding the
        // session ended, has moved the tab itself: the race a slow answer loses now and then.
        var tabMoved = new TaskCompletionSource();
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest && request.Method == "GET")
            {
                tabMoved.TrySetResult();
            }
        };
        await page.RouteAsync("**" + IdentityPages.Logout + "*", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            var answer = await route.FetchAsync(new() { MaxRedirects = 0 });
            await tabMoved.Task.WaitAsync(TimeSpan.FromSeconds(30));
            try
            {
                await route.FulfillAsync(new() { Response = answer });
            }
            catch (PlaywrightException)
            {
                // The tab's own navigation has replaced the form's: there is nothing left to answer.
            }
        });

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        tabMoved.Task.IsCompleted.Should().BeTrue("the tab moved before the sign-out's answer came");
    }

    private static async Task<string> CreateThroughPageAsync(DevelopersPage developers, string name)
    {
        await developers.OpenCreateDialogAsync(name);
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();
        await Expect(developers.Row(name)).ToBeVisibleAsync();
        return token;
    }
}
