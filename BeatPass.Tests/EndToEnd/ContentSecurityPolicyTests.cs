using System.Collections.Concurrent;
using BeatPass.Web.Commands;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.EndToEnd;

/// <summary>The pages work under the Content-Security-Policy: the browser reports no violation and no script error.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Sign_in_settings_developers_admin_and_the_API_reference_run_without_a_violation()
    {
        var page = await browser.NewPageAsync();
        var problems = Watch(page);

        await page.GotoAsync(IdentityPages.Login);
        await new LoginPage(page).SignInAsync(DemoAccounts.StaffEmail, DemoAccounts.Password);
        await new AccountSettingsPage(page).OpenAsync();
        await new DeveloperAccessAdminPage(page).OpenAsync();
        await Expect(page.GetByRole(AriaRole.Switch).First).ToBeVisibleAsync();

        var developer = await browser.SignedInPageAsync(DemoAccounts.DeveloperEmail, DemoAccounts.Password);
        var developerProblems = Watch(developer);
        var developers = new DevelopersPage(developer);
        await developers.OpenAsync();
        await developers.OpenCreateDialogAsync("CSP check");
        await developers.ChooseExpirationAsync("30 days");
        await developer.GotoAsync("/scalar/v1");
        await Expect(developer.GetByText("The account and token behind the request").First).ToBeVisibleAsync(new() { Timeout = 20_000 });

        problems.Concat(developerProblems).Should().BeEmpty();
    }

    private static ConcurrentQueue<string> Watch(IPage page)
    {
        var problems = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                problems.Enqueue($"{message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue("page error: " + error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Enqueue($"{response.Status} {response.Url}");
            }

            // A page that ran without violations only proves something if it ran under the policy.
            if (response.Request.ResourceType == "document"
                && !(response.Headers.TryGetValue("content-security-policy", out var policy) && policy.Contains("script-src 'self' 'nonce-")))
            {
                problems.Enqueue($"no Content-Security-Policy on {response.Url}");
            }
        };
        return problems;
    }
}
