using System.Net;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Commands;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>Both sides of the staff tools: asking for access and the queue that answers it; the token inventory and a revoke.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StaffToolsFlowTests(BrowserFixture browser)
{
    private const string Plan = "A playlist exporter for the beats I bought.";

    [BrowserFact]
    public async Task An_account_asks_for_access_from_its_profile_and_staff_approve_or_decline_from_the_queue()
    {
        var asker = await browser.App.CreateUserAsync(hasDeveloperAccess: false);
        var page = await browser.SignedInPageAsync(asker.Email!, BeatPassAppFactory.Password);
        var settings = new AccountSettingsPage(page);
        await settings.OpenAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Request developer access" }).ClickAsync();
        await Expect(new DevelopersPage(page).Heading).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Request developer access" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Request developer access" });
        var text = dialog.GetByLabel("What will you build?");
        await Expect(text).ToBeFocusedAsync();
        await text.FillAsync("An app");
        await Expect(dialog.GetByText("Write at least 20 characters about what you will build.")).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Send request" })).ToBeDisabledAsync();
        await text.FillAsync(Plan);
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("request-access-dialog.png") });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();

        await Expect(page.GetByText("Request sent. We will answer by email.")).ToBeVisibleAsync();
        await Expect(page.GetByText(new System.Text.RegularExpressions.Regex(@"^Request sent on \w{3} \d{1,2}, \d{4}\. We will answer by email\.$"))).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Request developer access" })).ToHaveCountAsync(0);
        var staffMail = await browser.App.Mail.WaitForMessageAsync("contact@beatpass.ca", m => m.TextBody?.Contains(asker.Email!) == true);
        staffMail.TextBody.Should().Contain("/admin/developer-access#requests").And.NotContain(Plan);
        await ScreenshotsAsync(asker.Email!, "/account/settings/developers", "We will answer by email.", "request-sent");

        // Another account's request, declined below.
        var declined = await browser.App.CreateUserAsync(hasDeveloperAccess: false);
        (await browser.App.WithServiceAsync<AccessRequests, AccessRequestResult>(requests =>
            requests.RequestAsync(declined.Id, "Something I will describe better later.", "https://beatpass.test/admin"))).Succeeded.Should().BeTrue();

        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();
        var request = admin.PendingRequests.GetByRole(AriaRole.Row).Filter(new() { HasText = asker.Email! });
        await Expect(request).ToContainTextAsync(Plan);
        await Expect(staffPage.Locator("#requests")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"[1-9]\d* pending"));
        await ScreenshotsAsync(DemoAccounts.StaffEmail, "/admin/developer-access", asker.Email!, "admin-requests", DemoAccounts.Password);

        await request.GetByRole(AriaRole.Button, new() { Name = $"Approve the request of {asker.Email}" }).ClickAsync();
        await Expect(staffPage.GetByText($"Developer access granted to {asker.Email}.")).ToBeVisibleAsync();
        await Expect(request).ToHaveCountAsync(0);
        await Expect(admin.DecidedRequests.GetByRole(AriaRole.Row).Filter(new() { HasText = asker.Email! })).ToContainTextAsync($"Approved by {DemoAccounts.StaffEmail}");
        await browser.App.Mail.WaitForMessageAsync(asker.Email!, m => m.Subject == "Your request for developer access was approved");

        var other = admin.PendingRequests.GetByRole(AriaRole.Row).Filter(new() { HasText = declined.Email! });
        await other.GetByRole(AriaRole.Button, new() { Name = $"Decline the request of {declined.Email}" }).ClickAsync();
        var decline = staffPage.GetByRole(AriaRole.Dialog, new() { Name = "Decline request?" });
        await decline.GetByLabel("Reason").FillAsync("Tell us what the app does for listeners.");
        await decline.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(staffPage.GetByText($"Request of {declined.Email} declined.")).ToBeVisibleAsync();
        await Expect(admin.DecidedRequests.GetByRole(AriaRole.Row).Filter(new() { HasText = declined.Email! }))
            .ToContainTextAsync("Reason: Tell us what the app does for listeners.");

        // The asker now has the Developers section; the declined account is told why and when to ask again.
        await page.GotoAsync("/account/settings/developers");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create token" })).ToBeVisibleAsync();
        var declinedPage = await browser.SignedInPageAsync(declined.Email!, BeatPassAppFactory.Password);
        await declinedPage.GotoAsync("/account/settings/developers");
        await Expect(declinedPage.GetByText("The reason given: Tell us what the app does for listeners.", new() { Exact = false })).ToBeVisibleAsync();
        await Expect(declinedPage.GetByText("You can ask again from", new() { Exact = false })).ToBeVisibleAsync();
        await Expect(declinedPage.GetByRole(AriaRole.Button, new() { Name = "Request developer access" })).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task Staff_find_a_token_in_the_inventory_and_revoke_it_with_a_reason_and_its_holder_sees_why()
    {
        var holder = await browser.App.CreateUserAsync();
        var name = $"Inventory {Guid.NewGuid():N}"[..20];
        var token = await browser.App.CreateTokenAsync(holder.Id, name);
        (await browser.CallMeAsync(token.PlainText)).Should().Be(HttpStatusCode.OK);

        var staffPage = await browser.SignedInPageAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        var admin = new DeveloperAccessAdminPage(staffPage);
        await admin.OpenAsync();
        await staffPage.GetByLabel("Search tokens").FillAsync(name);
        var row = admin.Tokens.Locator("tbody tr").Filter(new() { HasText = name });
        await Expect(admin.Tokens.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync(holder.Email!);
        await Expect(row).ToContainTextAsync("No expiration");
        await staffPage.GetByLabel("Show").ClickAsync();
        await staffPage.GetByRole(AriaRole.Option, new() { Name = "Revoked", Exact = true }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await staffPage.GetByLabel("Show").ClickAsync();
        await staffPage.GetByRole(AriaRole.Option, new() { Name = "No expiration", Exact = true }).ClickAsync();
        await Expect(row).ToBeVisibleAsync();
        await row.ScrollIntoViewIfNeededAsync();
        await staffPage.ScreenshotAsync(new() { Path = Screenshots.PathFor("admin-tokens.png"), FullPage = true });

        await row.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name} of {holder.Email}" }).ClickAsync();
        var confirm = staffPage.GetByRole(AriaRole.Dialog, new() { Name = "Revoke token?" });
        await Expect(confirm.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToBeDisabledAsync();
        await confirm.GetByLabel("Reason").FillAsync("It was pasted in a public forum.");
        await staffPage.ScreenshotAsync(new() { Path = Screenshots.PathFor("admin-revoke-token.png") });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Expect(staffPage.GetByText($"Token \"{name}\" of {holder.Email} revoked.")).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(0); // "No expiration" lists tokens that still work
        await staffPage.GetByLabel("Show").ClickAsync();
        await staffPage.GetByRole(AriaRole.Option, new() { Name = "Revoked", Exact = true }).ClickAsync();
        await Expect(row).ToContainTextAsync("Revoked");
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        (await browser.CallMeAsync(token.PlainText)).Should().Be(HttpStatusCode.Unauthorized);
        var mail = await browser.App.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject?.Contains("revoked by BeatPass staff") == true);
        mail.TextBody.Should().Contain("It was pasted in a public forum.");

        var holderPage = await browser.SignedInPageAsync(holder.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(holderPage);
        await developers.OpenAsync();
        await Expect(developers.Row(name)).ToContainTextAsync("BeatPass staff revoked it: It was pasted in a public forum.");
        await Expect(developers.SecurityLog).ToContainTextAsync("Token revoked by BeatPass staff");
        await ScreenshotsAsync(DemoAccounts.StaffEmail, "/admin/developer-access", holder.Email!, "admin-tokens", DemoAccounts.Password, scrollTo: "Tokens");
    }

    // The page as the account sees it in dark mode on a laptop and on a phone in light, for a person to look at.
    // It waits for shown, a text the ready page shows.
    private async Task ScreenshotsAsync(
        string email, string path, string shown, string name, string password = BeatPassAppFactory.Password, string? scrollTo = null)
    {
        foreach (var (size, scheme, look) in new[] { (BrowserFixture.Laptop, ColorScheme.Dark, "dark"), (BrowserFixture.Phone, ColorScheme.Light, "phone") })
        {
            var page = await browser.NewPageAsync(size, scheme);
            await new LoginPage(page).SignInAsync(email, password);
            await page.GotoAsync(path);
            await Expect(page.GetByText(shown).First).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Progressbar)).ToHaveCountAsync(0);
            if (scrollTo is not null)
            {
                await page.GetByRole(AriaRole.Heading, new() { Name = scrollTo, Exact = true }).ScrollIntoViewIfNeededAsync();
            }

            await page.ScreenshotAsync(new() { Path = Screenshots.PathFor($"{name}-{look}.png"), FullPage = scrollTo is null });
            await page.Context.CloseAsync();
        }
    }
}
