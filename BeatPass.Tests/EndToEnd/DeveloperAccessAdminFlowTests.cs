using BeatPass.Core.Data;
using BeatPass.Core.Services;
using Microsoft.Extensions.DependencyInjection;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.AspNetCore.Identity;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class DeveloperAccessAdminFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Staff_find_an_account_by_searching_and_grant_it_access_and_the_account_then_sees_Developers()
    {
        var user = await browser.App.CreateUserAsync(hasDeveloperAccess: false);
        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();

        await admin.FindAsync(user.Email!);
        await Expect(admin.Row(DemoAccounts.DeveloperEmail)).ToHaveCountAsync(0);
        await staffPage.ScreenshotAsync(new() { Path = Screenshots.PathFor("admin-page.png"), FullPage = true });
        await admin.AccessSwitch(user.Email!).ClickAsync();

        await Expect(staffPage.GetByText($"Developer access granted to {user.Email}.")).ToBeVisibleAsync();
        await Expect(admin.AccessSwitch(user.Email!)).ToBeCheckedAsync();

        var userPage = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var settings = new AccountSettingsPage(userPage);
        await settings.OpenAsync();
        await settings.DevelopersLink.ClickAsync();
        await Expect(new DevelopersPage(userPage).Heading).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task Staff_register_a_service_see_its_secret_once_and_revoke_it_after_a_confirmation()
    {
        var name = $"library-{Guid.NewGuid():N}"[..16];
        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();
        var nameField = staffPage.GetByLabel("Service name");

        await nameField.FillAsync("Library API");
        await nameField.PressAsync("Enter");
        await Expect(staffPage.GetByText(ServiceClientFormat.NameRule)).ToBeVisibleAsync();

        await nameField.FillAsync(name);
        await nameField.PressAsync("Enter");
        var dialog = staffPage.GetByRole(AriaRole.Dialog, new() { Name = "Copy the service's credentials" });
        await Expect(dialog.GetByText("Copy the client secret now. It will not be shown again.")).ToBeVisibleAsync();
        var clientId = await dialog.GetByLabel("Client id").InputValueAsync();
        var secret = await dialog.GetByLabel("Client secret").InputValueAsync();
        clientId.Should().MatchRegex("^bpsc_");
        secret.Should().MatchRegex("^bpss_");
        await staffPage.ScreenshotAsync(new() { Path = Screenshots.PathFor("admin-service-credentials.png") });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        var services = staffPage.GetByRole(AriaRole.Table).Filter(new() { Has = staffPage.GetByRole(AriaRole.Columnheader, new() { Name = "Client id" }) });
        var row = services.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        await Expect(row).ToContainTextAsync(clientId);
        await Expect(row).ToContainTextAsync("Never");
        await Expect(staffPage.GetByText(secret)).ToHaveCountAsync(0);
        await Expect(staffPage.GetByRole(AriaRole.Table).Last).ToContainTextAsync($"Service {name}");
        await row.ScrollIntoViewIfNeededAsync();
        await staffPage.ScreenshotAsync(new() { Path = Screenshots.PathFor("admin-services.png"), FullPage = true });

        await row.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        var confirm = staffPage.GetByRole(AriaRole.Dialog, new() { Name = "Revoke service?" });
        await Expect(confirm).ToContainTextAsync($"{name} will no longer be able to check tokens");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Expect(staffPage.GetByText($"Service {name} revoked.")).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(0);
        (await browser.App.Services.GetRequiredService<ServiceClients>().AuthenticateAsync(clientId, secret)).Should().BeNull();
    }

    [BrowserFact]
    public async Task The_accounts_grid_keeps_its_column_widths_while_searching()
    {
        // A long address, so a grid sized by its rows would widen its first column for it.
        var user = await browser.App.CreateUserAsync();
        await browser.App.CreateTokenAsync(user.Id, new string('W', 100));
        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();
        await Expect(staffPage.GetByRole(AriaRole.Switch).First).ToBeVisibleAsync();
        var before = await ColumnWidthsAsync(staffPage);

        await admin.FindAsync(DemoAccounts.ListenerEmail);
        var narrowed = await ColumnWidthsAsync(staffPage);
        await admin.FindAsync(user.Email!);
        var other = await ColumnWidthsAsync(staffPage);

        narrowed.Should().Equal(before);
        other.Should().Equal(before);
    }

    private static Task<int[]> ColumnWidthsAsync(IPage page) => page.EvaluateAsync<int[]>(
        "() => [...document.querySelector('.accounts-grid table').querySelectorAll('thead th')].map(th => Math.round(th.getBoundingClientRect().width))");

    [BrowserFact]
    public async Task A_staff_member_who_loses_the_role_loses_the_open_admin_page_within_the_revalidation_interval()
    {
        var staff = await browser.App.CreateStaffAsync();
        var page = await browser.SignedInPageAsync(staff.Email!, BeatPassAppFactory.Password);
        var admin = new DeveloperAccessAdminPage(page);
        await admin.OpenAsync();
        await Expect(page.GetByRole(AriaRole.Switch).First).ToBeVisibleAsync();

        await browser.App.WithServiceAsync<UserManager<BeatPassUser>, IdentityResult>(async users =>
            await users.RemoveFromRoleAsync((await users.FindByIdAsync(staff.Id))!, BeatPassRoles.Staff));

        // The tab is left alone: its circuit re-checks the account (every 2 s in tests, a minute by default).
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Identity/Account/(Login|AccessDenied)"), new() { Timeout = 15_000 });
        await Expect(page.GetByRole(AriaRole.Switch)).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task A_non_staff_account_opening_the_admin_route_gets_access_denied()
    {
        var page = await browser.SignedInPageAsync(DemoAccounts.DeveloperEmail, DemoAccounts.Password);

        await page.GotoAsync("/admin/developer-access");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityPages.AccessDenied));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Account Settings" }).ClickAsync();
        await Expect(new AccountSettingsPage(page).ProfileHeading).ToBeVisibleAsync();
    }
}
