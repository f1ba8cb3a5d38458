using System.Net;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>Choosing a token's permissions in "Create new token", seeing them in the list, and the prefill link.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TokenPermissionsFlowTests(BrowserFixture browser)
{
    private static readonly string[] DeveloperPermissions =
        [ApiPermissions.AccountRead, ApiPermissions.TokensRead, ApiPermissions.TokensRotateSelf, ApiPermissions.SecurityLogRead];

    [BrowserFact]
    public async Task A_developer_is_offered_every_permission_but_staff_ones_with_account_read_checked_and_must_keep_one()
    {
        var (user, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Permissions chosen");

        foreach (var name in DeveloperPermissions)
        {
            await Expect(Permission(developers, name)).ToBeVisibleAsync();
            await Expect(developers.CreateDialog).ToContainTextAsync(ApiPermissionCatalog.BuiltIn.Find(name)!.Description);
        }

        await Expect(developers.CreateDialog.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(DeveloperPermissions.Length);
        await Expect(developers.CreateDialog).Not.ToContainTextAsync("developer-access");
        await Expect(Permission(developers, ApiPermissions.AccountRead)).ToBeCheckedAsync();
        await Expect(Permission(developers, ApiPermissions.TokensRead)).Not.ToBeCheckedAsync();
        await Expect(developers.CreateDialog).ToContainTextAsync("to change them later, create a new token");

        await Permission(developers, ApiPermissions.AccountRead).UncheckAsync();
        await Expect(developers.CreateDialog.GetByText("Choose at least one permission.")).ToBeVisibleAsync();
        await Expect(developers.CreateButton).ToBeDisabledAsync();
        await Permission(developers, ApiPermissions.TokensRead).CheckAsync();
        await Permission(developers, ApiPermissions.TokensRotateSelf).CheckAsync();
        await Expect(developers.CreateDialog.GetByText("Choose at least one permission.")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("create-dialog-permissions.png"), Animations = ScreenshotAnimations.Disabled });
        await developers.CreateButton.ClickAsync();

        await Expect(developers.ShownTokenDialog).ToContainTextAsync("tokens:read");
        await Expect(developers.ShownTokenDialog).ToContainTextAsync("tokens:rotate-self");
        var secret = await developers.TakeShownTokenAsync();
        var row = developers.Row("Permissions chosen");
        await Expect(row.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["tokens:read", "tokens:rotate-self"]);
        (await CallAsync("/api/v1/tokens", secret)).Should().Be(HttpStatusCode.OK);
        (await CallAsync("/api/v1/me", secret)).Should().Be(HttpStatusCode.Forbidden, "account:read was unchecked");
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Single().Permissions
            .Should().Equal(ApiPermissions.TokensRead, ApiPermissions.TokensRotateSelf);
    }

    [BrowserFact]
    public async Task Staff_are_offered_the_staff_permissions_marked_and_the_list_says_when_they_no_longer_work()
    {
        var staff = await browser.App.CreateStaffAsync();
        await browser.App.WithDbAsync(async db =>
        {
            (await db.Users.SingleAsync(u => u.Id == staff.Id)).HasDeveloperAccess = true;
            return await db.SaveChangesAsync();
        });
        var page = await browser.SignedInPageAsync(staff.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        await developers.OpenCreateDialogAsync("Access script");

        var write = Permission(developers, ApiPermissions.DeveloperAccessWrite);
        await Expect(write).ToBeVisibleAsync();
        await Expect(write).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex("developer-access:write.*Write.*Staff"));
        await Expect(developers.CreateDialog.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(DeveloperPermissions.Length + 2);
        await Permission(developers, ApiPermissions.DeveloperAccessRead).CheckAsync();
        await developers.CreateButton.ClickAsync();
        var secret = await developers.TakeShownTokenAsync();
        (await CallAsync("/api/v1/admin/accounts", secret)).Should().Be(HttpStatusCode.OK);

        await browser.App.WithDbAsync(async db =>
        {
            db.UserRoles.Remove(await db.UserRoles.SingleAsync(r => r.UserId == staff.Id));
            return await db.SaveChangesAsync();
        });

        (await CallAsync("/api/v1/admin/accounts", secret)).Should().Be(HttpStatusCode.Forbidden);
        // Leaving staff ends the account's sessions; signed in again, the list says what no longer works.
        page = await browser.SignedInPageAsync(staff.Email!, BeatPassAppFactory.Password);
        developers = new DevelopersPage(page);
        await developers.OpenAsync();
        var chips = developers.Row("Access script").GetByRole(AriaRole.Listitem);
        await Expect(chips.Filter(new() { HasText = ApiPermissions.DeveloperAccessRead })).ToContainTextAsync("(no longer available)");
        await Expect(chips.Filter(new() { HasText = ApiPermissions.AccountRead })).Not.ToContainTextAsync("(no longer available)");
    }

    [BrowserFact]
    public async Task A_prefill_link_opens_the_dialog_filled_in_and_creates_nothing_until_Create()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);

        await page.GotoAsync("/account/settings/developers?create=1&name=Release%20uploader&permissions=tokens:read,%20security-log:read");

        await Expect(developers.CreateDialog).ToBeVisibleAsync();
        await Expect(developers.TokenName).ToHaveValueAsync("Release uploader");
        await Expect(Permission(developers, ApiPermissions.TokensRead)).ToBeCheckedAsync();
        await Expect(Permission(developers, ApiPermissions.SecurityLogRead)).ToBeCheckedAsync();
        await Expect(Permission(developers, ApiPermissions.AccountRead)).Not.ToBeCheckedAsync(); // the link chose instead of the default
        await Expect(LinkWarning(developers)).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("prefill-link.png"), Animations = ScreenshotAnimations.Disabled });
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Should().BeEmpty("nothing is created until Create");

        await developers.CreateButton.ClickAsync();

        await developers.TakeShownTokenAsync();
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Single().Permissions
            .Should().Equal(ApiPermissions.TokensRead, ApiPermissions.SecurityLogRead);
        new Uri(page.Url).Query.Should().BeEmpty("reloading the page does not open the dialog again");
    }

    [BrowserFact]
    public async Task A_prefill_link_asking_for_what_the_account_cannot_give_says_so_and_leaves_it_out()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);

        await page.GotoAsync("/account/settings/developers?create=1&name=Sneaky&permissions=developer-access:write,tokens:delete-all,tokens:read");

        await Expect(developers.CreateDialog).ToBeVisibleAsync();
        await Expect(LinkWarning(developers).GetByRole(AriaRole.Listitem)).ToHaveTextAsync(
            ["Only BeatPass staff can give a token developer-access:write.", "There is no permission called \"tokens:delete-all\"."]);
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("prefill-link-left-out.png"), Animations = ScreenshotAnimations.Disabled });
        await Expect(Permission(developers, ApiPermissions.TokensRead)).ToBeCheckedAsync();
        await Expect(developers.CreateDialog.GetByRole(AriaRole.Checkbox, new() { Checked = true })).ToHaveCountAsync(1);
        await developers.CreateButton.ClickAsync();

        await developers.TakeShownTokenAsync();
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Single().Permissions.Should().Equal(ApiPermissions.TokensRead);
    }

    private static ILocator LinkWarning(DevelopersPage developers) =>
        developers.CreateDialog.Locator(".mud-alert").Filter(new() { HasText = "The link you followed" });

    private static ILocator Permission(DevelopersPage developers, string name) =>
        developers.CreateDialog.GetByRole(AriaRole.Checkbox, new() { Name = name });

    private async Task<HttpStatusCode> CallAsync(string path, string token)
    {
        using var client = browser.CreateApiClient();
        return await client.GetStatusWithTokenAsync(path, token);
    }
}
