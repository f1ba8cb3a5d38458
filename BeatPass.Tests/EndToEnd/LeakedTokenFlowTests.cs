using System.Net;
using BeatPass.Core.ApiTokens;
using BeatPass.Web.SecretScanning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>"Report an exposed token" as a stranger uses it, and a leaked token as its holder then sees it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LeakedTokenFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task A_stranger_reports_a_token_from_the_footer_with_the_keyboard_and_its_holder_finds_it_revoked()
    {
        var (_, holderPage, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Shared by mistake");
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();

        var stranger = await browser.NewPageAsync();
        await stranger.GotoAsync("/");
        await stranger.GetByRole(AriaRole.Contentinfo).GetByRole(AriaRole.Link, new() { Name = "Report an exposed token" }).ClickAsync();
        await Expect(stranger.GetByRole(AriaRole.Heading, new() { Name = "Report an exposed token" })).ToBeVisibleAsync();
        await Keyboard.TabToAsync(stranger, "Tokens");
        await stranger.Keyboard.InsertTextAsync($"export BEATPASS_TOKEN={token}\n");
        await Keyboard.TabToAsync(stranger, "Report");
        await stranger.Keyboard.PressAsync("Enter");

        await Expect(stranger.GetByRole(AriaRole.Status)).ToHaveTextAsync(SecretScanningEndpoints.PublicRevocationAnswer);
        await Expect(stranger.GetByLabel("Tokens")).ToBeEmptyAsync();
        await stranger.ScreenshotAsync(new() { Path = Screenshots.PathFor("report-exposed-token.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        (await browser.CallMeAsync(token)).Should().Be(HttpStatusCode.Unauthorized);

        await holderPage.ReloadAsync();
        var row = developers.Row("Shared by mistake");
        await Expect(row).ToContainTextAsync("Revoked");
        await Expect(row).ToContainTextAsync(ApiTokenLeakReports.ReportedReason);
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Regenerate" })).ToHaveCountAsync(0);
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToBeVisibleAsync();
        await Expect(developers.SecurityLog).ToContainTextAsync("Reported as exposed through the public revocation.");
    }

    [BrowserFact]
    public async Task A_signed_in_holder_reports_their_own_token_from_the_footer_of_Account_Settings()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Pasted in chat");
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();

        await page.GetByRole(AriaRole.Contentinfo).GetByRole(AriaRole.Link, new() { Name = "Report an exposed token" }).ClickAsync();
        // The report page itself: until the link has loaded it, the Developers page (its "API tokens" table) is still there.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/report-exposed-token$"));
        await Expect(page.GetByText("Loading BeatPass…")).ToBeHiddenAsync();
        await page.GetByLabel("Tokens", new() { Exact = true }).FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(SecretScanningEndpoints.PublicRevocationAnswer);
        (await browser.CallMeAsync(token)).Should().Be(HttpStatusCode.Unauthorized);
        await developers.OpenAsync();
        await Expect(developers.Row("Pasted in chat")).ToContainTextAsync(ApiTokenLeakReports.ReportedReason);
    }

    [BrowserFact]
    public async Task The_report_form_says_what_is_wrong_with_what_was_pasted()
    {
        var page = await browser.NewPageAsync(BrowserFixture.Phone, ColorScheme.Dark);
        await page.GotoAsync("/report-exposed-token");
        var tokens = page.GetByLabel("Tokens");
        var report = page.GetByRole(AriaRole.Button, new() { Name = "Report" });

        await report.ClickAsync();
        await Expect(page.Locator("#tokens-error")).ToHaveTextAsync("Paste at least one token.");
        await Expect(tokens).ToHaveAttributeAsync("aria-invalid", "true");

        await tokens.FillAsync("my token is bpat_123");
        await report.ClickAsync();
        await Expect(page.Locator("#tokens-error")).ToContainTextAsync("No BeatPass API token found in what you pasted.");
        await Expect(page.GetByLabel("Tokens")).ToHaveValueAsync("my token is bpat_123", new() { Timeout = 5000 });
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("report-exposed-token-phone-dark.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
    }

    [BrowserFact]
    public async Task A_token_GitHub_found_in_public_says_where_in_the_list()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Committed by mistake");
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();
        const string FoundAt = "https://github.com/someone/app/blob/0123abc/deploy.sh";

        await using (var scope = browser.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiTokenLeakReports>()
                .ReportAsync(LeakReporter.GitHubSecretScanning, [new ReportedSecret(token, FoundAt, "commit")], "http://localhost/");
        }

        await page.ReloadAsync();
        var row = developers.Row("Committed by mistake");
        await Expect(row).ToContainTextAsync(ApiTokenLeakReports.FoundInPublicReason);
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = FoundAt })).ToHaveAttributeAsync("href", FoundAt);
        await Expect(developers.SecurityLog).ToContainTextAsync("Found in public by GitHub secret scanning at " + FoundAt);
        await row.ScreenshotAsync(new() { Path = Screenshots.PathFor("token-found-in-public.png"), Animations = ScreenshotAnimations.Disabled });
    }
}
