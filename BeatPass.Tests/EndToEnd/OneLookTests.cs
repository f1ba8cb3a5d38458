using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

/// <summary>
/// Every page a person moves between, on a laptop and on a phone, in light and in dark: each one has the BeatPass top
/// bar, passes axe, breaks no label inside a word and, on a phone, offers touch targets of at least 44 px. The
/// screenshots go to TestResults/screenshots/look.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OneLookTests(BrowserFixture browser)
{
    private static readonly ViewportSize Laptop = BrowserFixture.Laptop;
    private static readonly ViewportSize Phone = BrowserFixture.Phone;

    // The longest names there can be: one wrapping between its words, one without a space, which only an ellipsis keeps
    // from breaking inside the word. Every table a page shows must break neither (LookChecker).
    private static readonly string LongName = string.Join(' ', Enumerable.Repeat("Release uploader", 6))[..ApiTokenNameRules.MaxLength];

    private static readonly string LongWord = new('W', ApiTokenNameRules.MaxLength);

    [BrowserFact]
    public Task Every_page_on_a_laptop_in_light_mode() => CheckEveryPageAsync(Laptop, ColorScheme.Light);

    [BrowserFact]
    public Task Every_page_on_a_laptop_in_dark_mode() => CheckEveryPageAsync(Laptop, ColorScheme.Dark);

    [BrowserFact]
    public Task Every_page_on_a_phone_in_light_mode() => CheckEveryPageAsync(Phone, ColorScheme.Light);

    [BrowserFact]
    public Task Every_page_on_a_phone_in_dark_mode() => CheckEveryPageAsync(Phone, ColorScheme.Dark);

    [BrowserFact]
    public async Task The_dark_mode_toggle_is_remembered_over_the_system_preference()
    {
        var page = await browser.NewPageAsync(Laptop, ColorScheme.Light);
        await page.GotoAsync(IdentityPages.Login);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark mode" }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await new LoginPage(page).SignInAsync(DemoAccounts.ListenerEmail, DemoAccounts.Password);
        await new AccountSettingsPage(page).OpenAsync();

        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        (await BackgroundOfAsync(page)).Should().Be("rgb(21, 19, 29)", "the dark palette's background");
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode" }).ClickAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
    }

    [BrowserFact]
    public async Task On_a_phone_the_top_bar_folds_into_a_menu()
    {
        var page = await browser.NewPageAsync(Phone, ColorScheme.Light);
        await new LoginPage(page).SignInAsync(DemoAccounts.ListenerEmail, DemoAccounts.Password);
        await new AccountSettingsPage(page).OpenAsync();
        var accountSettings = page.GetByRole(AriaRole.Link, new() { Name = "Account Settings" });
        await Expect(accountSettings).ToBeHiddenAsync();

        await page.Locator("summary").Filter(new() { HasText = "Menu", Visible = true }).ClickAsync();
        await Expect(accountSettings).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        (await page.EvaluateAsync<double>("() => document.querySelector('.mud-layout .mud-appbar').getBoundingClientRect().height"))
            .Should().BeLessThan(80, "the bar stays one line");

        await page.GetByRole(AriaRole.Main).ClickAsync(new() { Position = new() { X = 10, Y = 10 } });
        await Expect(accountSettings).ToBeHiddenAsync();
        await page.Locator("summary").Filter(new() { HasText = "Menu", Visible = true }).ClickAsync();
        await accountSettings.ClickAsync();
        await Expect(new AccountSettingsPage(page).ProfileHeading).ToBeVisibleAsync();
        await Expect(accountSettings).ToBeHiddenAsync();
    }

    [BrowserFact]
    public async Task Dates_are_shown_in_the_browsers_time_zone()
    {
        var user = await browser.App.CreateUserAsync();
        var created = await browser.App.CreateTokenAsync(user.Id, "Night upload");
        // Created at 23:30 UTC, which is 3:30 PM in Los Angeles; it expires at 06:00 UTC on Jan 10, which is still
        // the evening of Jan 9 there.
        var createdAt = new DateTime(2026, 11, 20, 23, 30, 0, DateTimeKind.Utc);
        var expiresAt = new DateTime(2027, 1, 10, 6, 0, 0, DateTimeKind.Utc);
        await browser.App.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == created.Summary.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.CreatedAt, createdAt).SetProperty(t => t.ExpiresAt, expiresAt)));

        var page = await browser.NewPageAsync(timeZone: "America/Los_Angeles");
        await new LoginPage(page).SignInAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();

        var row = developers.Row("Night upload");
        await Expect(row).ToContainTextAsync("Expires on Jan 9, 2027");
        await Expect(row.Locator("time").First).ToHaveAttributeAsync("title", "Nov 20, 2026, 3:30:00 PM America/Los_Angeles (UTC−08:00)");
    }

    [BrowserFact]
    public async Task On_Personal_data_Download_and_Delete_stand_apart()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.NewPageAsync(Laptop, ColorScheme.Light);
        await new LoginPage(page).SignInAsync(user.Email!, BeatPassAppFactory.Password);
        await page.GotoAsync(IdentityPages.PersonalData);

        var download = await page.Locator("#download-data").GetByText("Download").BoundingBoxAsync();
        var delete = await page.Locator("#delete").BoundingBoxAsync();

        (delete!.Y - (download!.Y + download.Height)).Should().BeGreaterThanOrEqualTo(12, "the buttons must not touch");
    }

    [BrowserFact]
    public Task While_the_circuit_connects_a_settings_section_shows_its_frame_where_the_page_has_it() =>
        CheckLoadingShellAsync(Laptop, "laptop");

    [BrowserFact]
    public Task While_the_circuit_connects_a_settings_section_shows_its_frame_where_the_page_has_it_on_a_phone() =>
        CheckLoadingShellAsync(Phone, "phone");

    private async Task CheckLoadingShellAsync(ViewportSize size, string name)
    {
        var page = await browser.NewPageAsync(size, ColorScheme.Light);
        await new LoginPage(page).SignInAsync(DemoAccounts.DeveloperEmail, DemoAccounts.Password);
        var sections = page.GetByRole(AriaRole.Navigation, new() { Name = "Account Settings sections" });
        await page.GotoAsync("/account/settings");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Profile" })).ToBeVisibleAsync();
        var navWhenLoaded = await sections.BoundingBoxAsync();
        // Hold the circuit back: what the page shows until then is all a person on a slow line sees.
        await page.RouteAsync("**/_blazor/negotiate*", route => route.AbortAsync());

        await page.GotoAsync("/account/settings/developers");

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Loading Developers…");
        await Expect(sections.GetByRole(AriaRole.Link, new() { Name = "Developers" })).ToBeVisibleAsync();
        (await sections.BoundingBoxAsync()).Should().BeEquivalentTo(navWhenLoaded, "the navigation must not move when the section renders");
        await Expect(page.GetByRole(AriaRole.Heading)).ToHaveCountAsync(0); // the page's own h1 takes the focus once it renders
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor($"loading-developers-{name}.png"), Animations = ScreenshotAnimations.Disabled });

        await page.GotoAsync("/");

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Loading BeatPass…");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "BeatPass", Exact = true })).ToBeVisibleAsync();
    }

    private async Task CheckEveryPageAsync(ViewportSize size, ColorScheme scheme)
    {
        var look = $"{(size == Phone ? "phone" : "laptop")}-{(scheme == ColorScheme.Dark ? "dark" : "light")}";
        var checker = new LookChecker(look, size == Phone);

        var anonymous = await browser.NewPageAsync(size, scheme);
        await checker.CheckAsync(anonymous, IdentityPages.Login, "Sign in", "sign-in");
        await checker.CheckAsync(anonymous, IdentityPages.Register, "Register", "register");
        await checker.CheckAsync(anonymous, "/no-such-page", "Page not found", "not-found");
        await checker.CheckAsync(anonymous, IdentityPages.AccountDeleted, "Account deleted", "account-deleted");
        var unconfirmed = await browser.App.CreateUserAsync(emailConfirmed: false);
        await checker.CheckAsync(anonymous, $"{IdentityPages.ConfirmEmail}?userId={unconfirmed.Id}&code=from-the-email", "Confirm email", "confirm-email");

        var user = await browser.App.CreateUserAsync();
        await browser.App.CreateTokenAsync(user.Id, LongName);
        await browser.App.CreateTokenAsync(user.Id, LongWord);
        await TokensInUse.CreateAsync(browser.App, user.Id);
        var page = await browser.NewPageAsync(size, scheme);
        await new LoginPage(page).SignInAsync(user.Email!, BeatPassAppFactory.Password);
        await checker.CheckAsync(page, "/", "BeatPass Settings", "home");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Developers" }).Last).ToBeVisibleAsync();
        await checker.CheckAsync(page, "/account/settings", "Profile", "profile");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await checker.CheckSnackbarAsync(page, "Profile saved.");
        await checker.CheckAsync(page, IdentityPages.Email, "Email", "email");
        await checker.CheckAsync(page, IdentityPages.ChangePassword, "Password", "password");
        await checker.CheckAsync(page, IdentityPages.TwoFactorAuthentication, "Two-factor authentication", "two-factor");
        await checker.CheckAsync(page, "/account/settings/sessions", "Active Sessions", "sessions");
        await checker.CheckAsync(page, IdentityPages.PersonalData, "Personal data", "personal-data");
        await checker.CheckAsync(page, IdentityPages.ConfirmAccess, "Confirm access", "confirm-access");
        await checker.CheckAsync(page, "/account/settings/developers", "Developers", "developers");
        await Expect(new DevelopersPage(page).Row(LongName)).ToBeVisibleAsync();
        await Expect(new DevelopersPage(page).Row(LongWord).Locator(".clipped").First).ToHaveAttributeAsync("title", LongWord);

        var developers = new DevelopersPage(page);
        await developers.OpenCreateDialogAsync("Look check");
        await developers.CreateButton.ClickAsync();
        await Expect(developers.NewToken).ToBeVisibleAsync();
        await checker.CheckCurrentAsync(page, "show-once");
        await developers.TakeShownTokenAsync();

        await checker.CheckAsync(page, "/admin/developer-access", "Access denied", "access-denied");

        // The two-factor pages, set up as a person would, with an account of their own.
        var secured = await browser.App.CreateUserAsync(hasDeveloperAccess: false);
        var securing = await browser.NewPageAsync(size, scheme);
        await new LoginPage(securing).SignInAsync(secured.Email!, BeatPassAppFactory.Password);
        await checker.CheckAsync(securing, IdentityPages.EnableAuthenticator, "Set up authenticator app", "enable-authenticator");
        await new EnableAuthenticatorPage(securing).VerifyWithTheAppAsync();
        await checker.CheckCurrentAsync(securing, "recovery-codes");
        await checker.CheckAsync(securing, IdentityPages.TwoFactorAuthentication, "Two-factor authentication", "two-factor-on");
        await checker.CheckAsync(securing, IdentityPages.GenerateRecoveryCodes, "New recovery codes", "new-recovery-codes");
        await checker.CheckAsync(securing, IdentityPages.ResetAuthenticator, "Reset authenticator app", "reset-authenticator");
        await checker.CheckAsync(securing, IdentityPages.Disable2fa, "Turn off two-factor authentication", "disable-2fa");

        var staff = await browser.NewPageAsync(size, scheme);
        await new LoginPage(staff).SignInAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        await new DeveloperAccessAdminPage(staff).OpenAsync();
        await Expect(staff.GetByRole(AriaRole.Switch).First).ToBeVisibleAsync();
        await checker.CheckCurrentAsync(staff, "admin");

        checker.Problems.Should().BeEmpty();
    }

    private static Task<string> BackgroundOfAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
