using System.Net;
using BeatPass.Core.ApiTokens;
using BeatPass.Web.Commands;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class DeveloperTokenFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task The_demo_developer_creates_copies_uses_and_deletes_a_token()
    {
        var page = await browser.SignedInPageAsync(DemoAccounts.DeveloperEmail, DemoAccounts.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        await page.ScreenshotAsync(new() { Path = Screenshot("developers-page.png"), FullPage = true });

        await developers.OpenCreateDialogAsync("E2E script");
        await Expect(developers.CreateDialog).ToContainTextAsync("The token will expire on"); // 30 days, the default
        await page.ScreenshotAsync(new() { Path = Screenshot("create-dialog.png"), Animations = ScreenshotAnimations.Disabled });
        await developers.CreateButton.ClickAsync();
        await Expect(developers.NewToken).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Screenshot("show-once-dialog.png"), Animations = ScreenshotAnimations.Disabled });
        var shown = await developers.NewToken.InputValueAsync();
        await developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        (await PageText.WithInputValuesAsync(page)).Should().Contain(shown, "while it is shown, the check below sees it");
        await developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        copied.Should().Be(shown);
        ApiTokenFormat.IsWellFormed(copied).Should().BeTrue();
        await Expect(developers.ShownTokenDialog).ToBeHiddenAsync();
        await Expect(developers.Row("E2E script")).ToContainTextAsync(ApiTokenFormat.Hint(copied));
        await Expect(developers.Row("E2E script")).ToContainTextAsync("Never");
        (await PageText.WithInputValuesAsync(page)).Should().NotContain(copied);
        await page.ScreenshotAsync(new() { Path = Screenshot("developers-with-token.png"), FullPage = true });

        (await browser.CallMeAsync(copied)).Should().Be(HttpStatusCode.OK);

        await developers.Row("E2E script").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(developers.DeleteDialog).ToContainTextAsync("“E2E script”");
        await page.ScreenshotAsync(new() { Path = Screenshot("delete-confirmation.png"), Animations = ScreenshotAnimations.Disabled });
        await developers.DeleteDialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.GetByText("Token “E2E script” deleted.")).ToBeVisibleAsync();
        await Expect(developers.Row("E2E script")).ToHaveCountAsync(0);

        (await browser.CallMeAsync(copied)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [BrowserFact]
    public async Task A_new_message_takes_the_place_of_the_one_before_it()
    {
        var user = await browser.App.CreateUserAsync();
        var gone = await browser.App.CreateTokenAsync(user.Id, "Deleted in another tab");
        await browser.App.CreateTokenAsync(user.Id, "Old script");
        var page = await browser.SignedInPageAsync(user.Email!, Infrastructure.BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        await browser.App.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, gone.Summary.Id));

        await DeleteAsync("Deleted in another tab");
        await Expect(page.GetByText("Token “Deleted in another tab” was already deleted.")).ToBeVisibleAsync();
        await DeleteAsync("Old script");

        await Expect(page.GetByText("Token “Old script” deleted.")).ToBeVisibleAsync();
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(1);

        async Task DeleteAsync(string name)
        {
            await developers.Row(name).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await developers.DeleteDialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Expect(developers.DeleteDialog).ToBeHiddenAsync();
        }
    }

    [BrowserFact]
    public async Task Copy_pressed_before_the_copy_script_has_loaded_still_copies()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        // Hold the copy button's script back, as a slow line would, until Copy has been pressed.
        var pressed = new TaskCompletionSource();
        await page.RouteAsync("**/Components/Shared/CopyButton.*js", async route =>
        {
            await pressed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await route.ContinueAsync();
        });
        await developers.OpenCreateDialogAsync("Quick copy");
        await developers.CreateButton.ClickAsync();
        await Expect(developers.NewToken).ToBeVisibleAsync();
        var shown = await developers.NewToken.InputValueAsync();

        await developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        pressed.SetResult();

        await Expect(developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).Should().Be(shown);
    }

    [BrowserFact]
    public async Task Sign_in_then_create_copy_done_and_delete_work_with_the_keyboard_alone()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.NewPageAsync();
        var developers = new DevelopersPage(page);
        await page.GotoAsync(IdentityPages.Login);

        await Keyboard.TabToAsync(page, "Email");
        await page.Keyboard.TypeAsync(user.Email!);
        await Keyboard.TabToAsync(page, "Password");
        await page.Keyboard.TypeAsync(Infrastructure.BeatPassAppFactory.Password);
        await page.Keyboard.PressAsync("Enter");
        // The home page's own heading, not "Sign out": the loading shell's top bar has "Sign out" too, and a link
        // focused in the shell loses the focus when the connected page replaces it.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "BeatPass Settings" })).ToBeVisibleAsync();
        await Keyboard.WaitForFocusOnTitleAsync(page);
        await Keyboard.TabToAsync(page, "Account Settings");
        await page.Keyboard.PressAsync("Enter");
        await Expect(new AccountSettingsPage(page).ProfileHeading).ToBeVisibleAsync();
        await Keyboard.WaitForFocusOnTitleAsync(page);
        await Keyboard.TabToAsync(page, "Developers");
        await page.Keyboard.PressAsync("Enter");
        await Expect(developers.Heading).ToBeVisibleAsync();
        await Keyboard.WaitForFocusOnTitleAsync(page);

        await Keyboard.TabToAsync(page, "Create token");
        (await Keyboard.FocusIsVisibleAsync(page)).Should().BeTrue("a keyboard user must see where the focus is");
        await page.Keyboard.PressAsync("Enter");
        await Expect(developers.TokenName).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Keyboard only");
        await page.Keyboard.PressAsync("Enter");
        await Expect(developers.NewToken).ToBeVisibleAsync();
        var shown = await developers.NewToken.InputValueAsync();
        await Keyboard.WaitForFocusInAsync(developers.ShownTokenDialog);
        await Keyboard.TabToAsync(page, "Copy");
        await page.Keyboard.PressAsync("Enter");
        await Expect(developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).Should().Be(shown);
        await Keyboard.TabToAsync(page, "Done");
        await page.Keyboard.PressAsync("Enter");
        await Expect(developers.ShownTokenDialog).ToBeHiddenAsync();
        await Expect(developers.Row("Keyboard only")).ToHaveCountAsync(1);

        await Keyboard.TabToAsync(page, "Delete");
        await page.Keyboard.PressAsync("Enter");
        await Expect(developers.DeleteDialog).ToBeVisibleAsync();
        await Keyboard.WaitForFocusInAsync(developers.DeleteDialog);
        await Keyboard.TabToAsync(page, "Delete");
        await page.Keyboard.PressAsync("Enter");

        await Expect(developers.Row("Keyboard only")).ToHaveCountAsync(0);
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_double_click_on_Create_creates_one_token()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInPageAsync(user.Email!, Infrastructure.BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        await developers.OpenCreateDialogAsync("Double clicked");

        await developers.CreateButton.DblClickAsync();

        await Expect(developers.NewToken).ToBeVisibleAsync();
        await developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(developers.Row("Double clicked")).ToHaveCountAsync(1);
        var tokens = await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id));
        tokens.Should().ContainSingle();
    }

    [BrowserFact]
    public async Task Name_rules_show_under_the_field_and_keep_Create_disabled()
    {
        var page = await browser.SignedInPageAsync(DemoAccounts.DeveloperEmail, DemoAccounts.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();

        await developers.OpenCreateDialogAsync("ab");

        await Expect(developers.CreateDialog).ToContainTextAsync("The token name must be at least 3 characters.");
        await Expect(developers.CreateButton).ToBeDisabledAsync();
        await developers.TokenName.FillAsync("abc");
        await Expect(developers.CreateButton).ToBeEnabledAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(developers.CreateDialog).ToBeHiddenAsync();
    }

    [BrowserFact]
    public async Task The_settings_navigation_moves_between_the_Identity_pages_and_the_MudBlazor_sections()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(IdentityPages.Login);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "BeatPass", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Screenshot("sign-in.png") });
        await new LoginPage(page).SignInAsync(DemoAccounts.ListenerEmail, DemoAccounts.Password);

        var settings = new AccountSettingsPage(page);
        await settings.OpenAsync();
        await Expect(settings.DevelopersLink).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Password" }).ClickAsync();

        // The Identity page itself, in Account Settings' layout, and a way back to the MudBlazor sections.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Identity/Account/Manage/ChangePassword$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Password", Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Active Sessions" }).ClickAsync();
        await Expect(new ActiveSessionsPage(page).Heading).ToBeVisibleAsync();
    }

    private static string Screenshot(string name) => Screenshots.PathFor(name);
}
