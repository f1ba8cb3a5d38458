using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

/// <summary>The Identity UI's sign-in page.</summary>
public sealed class LoginPage(IPage page)
{
    public async Task SignInAsync(string email, string password)
    {
        await page.GotoAsync(IdentityPages.Login);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        // "Sign out" is in the page either way; on a phone it waits in the closed menu.
        await Expect(page.GetByText("Sign out")).Not.ToHaveCountAsync(0);
    }
}

/// <summary>Account Settings, on its first section (Profile), with its section navigation.</summary>
public sealed class AccountSettingsPage(IPage page)
{
    public ILocator ProfileHeading => page.GetByRole(AriaRole.Heading, new() { Name = "Profile", Exact = true });

    /// <summary>The navigation's link to the Developers section; absent without developer access.</summary>
    public ILocator DevelopersLink => page.GetByRole(AriaRole.Link, new() { Name = "Developers" });

    public async Task OpenAsync()
    {
        await page.GotoAsync("/account/settings");
        await Expect(ProfileHeading).ToBeVisibleAsync();
    }
}

/// <summary>"Set up authenticator app": the key to type into an app, and the code from it that turns two-factor on.</summary>
public sealed class EnableAuthenticatorPage(IPage page)
{
    /// <summary>Enters the code an authenticator app holding the page's key shows now, then waits for the recovery codes.</summary>
    public async Task VerifyWithTheAppAsync()
    {
        var key = await page.Locator("#sharedKey").InnerTextAsync();
        await page.GetByLabel("Code from the app").FillAsync(Infrastructure.Totp.Code(key, DateTimeOffset.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" })).ToBeVisibleAsync();
    }
}

/// <summary>Account Settings > Developers, with its dialogs.</summary>
public sealed class DevelopersPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Developers", Exact = true });

    public ILocator CreateDialog => page.GetByRole(AriaRole.Dialog, new() { Name = "Create new token" });

    public ILocator DeleteDialog => page.GetByRole(AriaRole.Dialog, new() { Name = "Delete token?" });

    public ILocator RegenerateConfirmation => page.GetByRole(AriaRole.Dialog, new() { Name = "Regenerate token?" });

    /// <summary>The dialog that shows a new secret once, after "Create" or "Regenerate".</summary>
    public ILocator ShownTokenDialog => page.GetByRole(AriaRole.Dialog, new() { Name = "Copy your new token" });

    /// <summary>The security log, the second table on the page.</summary>
    public ILocator SecurityLog => page.GetByRole(AriaRole.Table).Nth(1);

    public ILocator TokenName => CreateDialog.GetByLabel("Token name");

    public ILocator CreateButton => CreateDialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true });

    public ILocator NewToken => ShownTokenDialog.GetByLabel("Your new token");

    /// <summary>The token's row in the token list (the first table; the second is the security log).</summary>
    public ILocator Row(string tokenName) => page.GetByRole(AriaRole.Table).First.GetByRole(AriaRole.Row).Filter(new() { HasText = tokenName });

    public async Task OpenAsync()
    {
        await page.GotoAsync("/account/settings/developers");
        await Expect(Heading).ToBeVisibleAsync();
    }

    public async Task OpenCreateDialogAsync(string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(CreateDialog).ToBeVisibleAsync();
        await TokenName.FillAsync(name);
    }

    /// <summary>Picks an entry of the create dialog's "Expiration" list, such as "7 days" or "Custom date".</summary>
    public Task ChooseExpirationAsync(string option) => ChooseExpirationAsync(CreateDialog, option);

    /// <summary>Picks an option of the Expiration field in <paramref name="dialog"/> ("Create new token" or "Regenerate token?").</summary>
    public async Task ChooseExpirationAsync(ILocator dialog, string option)
    {
        await dialog.GetByLabel("Expiration", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true })).ToBeHiddenAsync();
    }

    /// <summary>Reads the token shown once, then closes its dialog with "Done".</summary>
    public async Task<string> TakeShownTokenAsync()
    {
        await Expect(NewToken).ToBeVisibleAsync();
        var shown = await NewToken.InputValueAsync();
        await ShownTokenDialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(ShownTokenDialog).ToBeHiddenAsync();
        return shown;
    }
}

/// <summary>Account Settings > Active Sessions.</summary>
public sealed class ActiveSessionsPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Active Sessions" });

    /// <summary>The sessions' rows, the header left out.</summary>
    public ILocator Rows => page.GetByRole(AriaRole.Table).Locator("tbody tr");

    public ILocator ThisDevice => Rows.Filter(new() { HasText = "This device" });

    public ILocator OtherSessions => Rows.Filter(new() { HasNotText = "This device" });

    public async Task OpenAsync()
    {
        await page.GotoAsync("/account/settings/sessions");
        await Expect(Heading).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToBeVisibleAsync();
    }
}

/// <summary>The staff page that grants and revokes developer access.</summary>
public sealed class DeveloperAccessAdminPage(IPage page)
{
    public ILocator Search => page.GetByLabel("Search accounts");

    /// <summary>The accounts grid's table (the page also lists requests, services, tokens and recent events).</summary>
    public ILocator Accounts => page.Locator(".accounts-grid").GetByRole(AriaRole.Table);

    /// <summary>The account's row in the accounts grid.</summary>
    public ILocator Row(string email) => Accounts.GetByRole(AriaRole.Row).Filter(new() { HasText = email });

    /// <summary>The queue of pending requests.</summary>
    public ILocator PendingRequests => page.Locator("[aria-label='Pending requests'] table");

    public ILocator DecidedRequests => page.Locator("[aria-label='Decided requests'] table");

    /// <summary>The token inventory's table.</summary>
    public ILocator Tokens => page.Locator("[aria-label='Tokens'] table");

    public ILocator AccessSwitch(string email) => page.GetByLabel($"Developer access for {email}");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/admin/developer-access");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Developer access" })).ToBeVisibleAsync();
    }

    public async Task FindAsync(string email)
    {
        await Search.FillAsync(email);
        // The grid reloads once typing pauses: wait until it lists only matches, so that a click lands on the
        // rows of the new page rather than on ones about to be replaced.
        var accountRows = Accounts.Locator("tbody tr");
        await Expect(accountRows.Filter(new() { HasNotText = email })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Progressbar)).ToHaveCountAsync(0);
        await Expect(Row(email)).ToBeVisibleAsync();
    }
}
