using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

/// <summary>axe-core on every page and dialog a person uses: no violation of impact "serious" or "critical".</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Account_Settings_has_no_serious_violations()
    {
        var page = await browser.SignedInPageAsync(DemoAccounts.ListenerEmail, DemoAccounts.Password);
        await new AccountSettingsPage(page).OpenAsync();

        await ShouldHaveNoSeriousViolationsAsync(page);
    }

    [BrowserFact]
    public async Task Developers_without_and_with_tokens_and_both_dialogs_have_no_serious_violations()
    {
        var user = await browser.App.CreateUserAsync();
        var longName = new string('W', 100);
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        await Expect(page.GetByText("You don't have any API tokens yet.")).ToBeVisibleAsync();
        await ShouldHaveNoSeriousViolationsAsync(page, "without tokens");

        await developers.OpenCreateDialogAsync("Accessible");
        // A valid name enables "Create": check the dialog as a person then sees it, button in its final colours.
        await Expect(developers.CreateButton).ToBeEnabledAsync();
        await ShouldHaveNoSeriousViolationsAsync(page, "create dialog");
        await developers.CreateButton.ClickAsync();
        await Expect(developers.NewToken).ToBeVisibleAsync();
        await ShouldHaveNoSeriousViolationsAsync(page, "show-once dialog");
        await developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(developers.Row("Accessible")).ToBeVisibleAsync();
        await browser.App.CreateTokenAsync(user.Id, longName);
        await page.ReloadAsync();
        await Expect(developers.Row(longName)).ToBeVisibleAsync();
        await ShouldHaveNoSeriousViolationsAsync(page, "with tokens, one of the longest name");

        await developers.Row("Accessible").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(developers.DeleteDialog).ToBeVisibleAsync();
        await ShouldHaveNoSeriousViolationsAsync(page, "delete confirmation");
    }

    [BrowserFact]
    public async Task Active_Sessions_and_its_confirmation_have_no_serious_violations()
    {
        var user = await browser.App.CreateUserAsync();
        await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var sessions = new ActiveSessionsPage(page);
        await sessions.OpenAsync();
        await Expect(sessions.Rows).ToHaveCountAsync(2);
        await ShouldHaveNoSeriousViolationsAsync(page, "with two sessions");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out of all other sessions" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Sign out of all other sessions?" })).ToBeVisibleAsync();
        await ShouldHaveNoSeriousViolationsAsync(page, "sign out of all other sessions confirmation");
    }

    [BrowserFact]
    public async Task The_Confirm_access_prompt_has_no_serious_violations()
    {
        var (_, page, _) = await browser.OpenDevelopersAsNewUserAsync();
        browser.App.Time.Advance(TimeSpan.FromMinutes(11));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var confirmAccess = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm access" });
        await confirmAccess.GetByLabel("Password").FillAsync("Wrong-password-1");
        await confirmAccess.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(confirmAccess.GetByText("That password is not right.")).ToBeVisibleAsync();

        await ShouldHaveNoSeriousViolationsAsync(page, "Confirm access, with its error");
    }

    [BrowserFact]
    public async Task Two_factor_setup_with_its_QR_code_has_no_serious_violations()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        await page.GotoAsync(IdentityPages.EnableAuthenticator);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code of your authenticator key" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("enable-authenticator.png"), FullPage = true });

        await ShouldHaveNoSeriousViolationsAsync(page);
    }

    [BrowserFact]
    public async Task The_admin_page_has_no_serious_violations()
    {
        // The longest name there can be, with no space to break at: tables must still fit without scrolling.
        var user = await browser.App.CreateUserAsync();
        await browser.App.CreateTokenAsync(user.Id, new string('W', 100));
        var page = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        await new DeveloperAccessAdminPage(page).OpenAsync();
        await Expect(page.GetByRole(AriaRole.Switch).First).ToBeVisibleAsync();

        await ShouldHaveNoSeriousViolationsAsync(page);
    }

    private static async Task ShouldHaveNoSeriousViolationsAsync(IPage page, string state = "")
    {
        await Axe.WaitUntilSettledAsync(page);
        (await Axe.SeriousViolationsAsync(page)).Should().BeEmpty($"axe found these on {page.Url} {state}");
    }
}
