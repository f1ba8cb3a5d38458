using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>
/// The README's screenshots, taken from the running app. They go to TestResults/screenshots/docs on every run;
/// <c>docs/update-screenshots.sh</c> sets BEATPASS_UPDATE_DOCS_SCREENSHOTS=1 to write them to docs/screenshots.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DocumentationScreenshotsTests(BrowserFixture browser)
{
    private static readonly string Directory = Environment.GetEnvironmentVariable("BEATPASS_UPDATE_DOCS_SCREENSHOTS") == "1"
        ? Path.Combine(RepositoryPaths.Root, "docs", "screenshots")
        : Path.Combine(Screenshots.Directory, "docs");

    [BrowserFact]
    public async Task The_Developers_page_its_dialogs_and_the_admin_page()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var user = await browser.App.CreateUserAsync();
        await TokensInUse.CreateAsync(browser.App, user.Id);

        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        await Expect(developers.SecurityLog).ToContainTextAsync("Token created");
        await page.ScreenshotAsync(new() { Path = PathFor("developers.png"), FullPage = true });

        await developers.OpenCreateDialogAsync("Beat store sync");
        await developers.ChooseExpirationAsync("90 days");
        await developers.CreateDialog.GetByRole(AriaRole.Checkbox, new() { Name = ApiPermissions.TokensRead }).CheckAsync();
        await Expect(developers.CreateDialog.GetByRole(AriaRole.Checkbox, new() { Name = ApiPermissions.TokensRead })).ToBeCheckedAsync();
        await page.ScreenshotAsync(new() { Path = PathFor("create-dialog.png"), Animations = ScreenshotAnimations.Disabled });
        await developers.CreateButton.ClickAsync();
        await Expect(developers.NewToken).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = PathFor("show-once-dialog.png"), Animations = ScreenshotAnimations.Disabled });
        await developers.ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        await developers.Row("Analytics export").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(developers.DeleteDialog).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = PathFor("delete-confirmation.png"), Animations = ScreenshotAnimations.Disabled });

        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();
        await Expect(staffPage.GetByRole(AriaRole.Switch).First).ToBeVisibleAsync();
        await staffPage.ScreenshotAsync(new() { Path = PathFor("admin.png"), FullPage = true });

        foreach (var name in new[] { "developers.png", "create-dialog.png", "show-once-dialog.png", "delete-confirmation.png", "admin.png" })
        {
            new FileInfo(PathFor(name)).Length.Should().BeGreaterThan(10_000, $"{name} shows a page");
        }
    }

    [BrowserFact]
    public async Task Developers_on_a_phone_and_in_dark_mode()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var user = await browser.App.CreateUserAsync();
        await TokensInUse.CreateAsync(browser.App, user.Id);

        foreach (var (name, size, scheme) in new[]
        {
            ("developers-phone.png", BrowserFixture.Phone, ColorScheme.Light),
            ("developers-dark.png", BrowserFixture.Laptop, ColorScheme.Dark),
        })
        {
            var page = await browser.NewPageAsync(size, scheme);
            await new LoginPage(page).SignInAsync(user.Email!, BeatPassAppFactory.Password);
            var developers = new DevelopersPage(page);
            await developers.OpenAsync();
            await Expect(developers.Row("Analytics export")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = PathFor(name), FullPage = scheme == ColorScheme.Light });
            await page.Context.CloseAsync();
            new FileInfo(PathFor(name)).Length.Should().BeGreaterThan(10_000, $"{name} shows a page");
        }
    }

    private static string PathFor(string name) => Path.Combine(Directory, name);
}
