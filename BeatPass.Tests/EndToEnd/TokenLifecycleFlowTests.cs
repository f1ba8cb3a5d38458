using System.Net;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Components.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>Expiry, regenerate, the security log and the API reference, as a person uses them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TokenLifecycleFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task A_token_created_for_7_days_is_listed_with_its_expiry_date()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Week pass");
        var inThirtyDays = LocalTimeZone.Utc.Date(ApiTokenExpiration.InDays(browser.App.Time.GetUtcNow().UtcDateTime, 30));
        await Expect(developers.CreateDialog).ToContainTextAsync($"The token will expire on {inThirtyDays}.");

        await developers.ChooseExpirationAsync("7 days");
        var expiry = LocalTimeZone.Utc.Date(ApiTokenExpiration.InDays(browser.App.Time.GetUtcNow().UtcDateTime, 7));
        await Expect(developers.CreateDialog).ToContainTextAsync($"The token will expire on {expiry}.");
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor("create-with-expiration.png"), Animations = ScreenshotAnimations.Disabled });
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();

        await Expect(developers.Row("Week pass")).ToContainTextAsync($"Expires on {expiry}");
        (await browser.CallMeAsync(token)).Should().Be(HttpStatusCode.OK);
    }

    [BrowserFact]
    public async Task The_list_says_when_a_token_was_last_used_from_where_and_with_what()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Nightly sync");
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();
        await Expect(developers.Row("Nightly sync")).ToContainTextAsync("Never");

        using var client = browser.CreateApiClient();
        using var response = await client.GetMeAsync(token, headers => headers.UserAgent.ParseAdd("curl/8.5"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await browser.App.WriteTokenUsesAsync(); // as the app does every few seconds
        await page.ReloadAsync();

        await Expect(developers.Row("Nightly sync")).ToContainTextAsync("just now from 127.0.0.1 (curl/8.5)");
        await developers.Row("Nightly sync").ScreenshotAsync(new() { Path = Screenshots.PathFor("token-last-used.png"), Animations = ScreenshotAnimations.Disabled });
    }

    [BrowserFact]
    public async Task A_custom_date_outside_the_allowed_range_keeps_Create_disabled()
    {
        var (_, _, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Dated");
        await developers.ChooseExpirationAsync("Custom date");
        var date = developers.CreateDialog.GetByLabel("Expiration date");
        var today = DateOnly.FromDateTime(browser.App.Time.GetUtcNow().UtcDateTime);
        await Expect(developers.CreateDialog).ToContainTextAsync($"Pick a date from {today.AddDays(1):MMM d, yyyy} to {today.AddYears(1):MMM d, yyyy}.");

        await date.FillAsync(today.AddYears(2).ToString("yyyy-MM-dd"));
        await Expect(developers.CreateDialog).ToContainTextAsync("Choose an expiration date at most a year from today.");
        await Expect(developers.CreateButton).ToBeDisabledAsync();

        await date.FillAsync(today.AddDays(10).ToString("yyyy-MM-dd"));
        await Expect(developers.CreateDialog).ToContainTextAsync($"The token will work until the end of {today.AddDays(10):MMM d, yyyy}, your time.");
        await Expect(developers.CreateButton).ToBeEnabledAsync();
    }

    [BrowserFact]
    public async Task Regenerate_chooses_a_new_expiration_shows_the_new_secret_once_and_only_the_new_one_works()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Rotated");
        await developers.ChooseExpirationAsync("No expiration");
        await developers.CreateButton.ClickAsync();
        var oldToken = await developers.TakeShownTokenAsync();

        await developers.Row("Rotated").GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Expect(developers.RegenerateConfirmation).ToContainTextAsync("“Rotated”");
        await Expect(developers.RegenerateConfirmation).ToContainTextAsync("The token will never expire.");
        await developers.ChooseExpirationAsync(developers.RegenerateConfirmation, "7 days");
        await Expect(developers.RegenerateConfirmation).ToContainTextAsync("The token will expire on");
        await developers.RegenerateConfirmation.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Expect(developers.ShownTokenDialog).ToContainTextAsync("It will not be shown again.");
        var newToken = await developers.TakeShownTokenAsync();
        await Expect(page.GetByText("Token “Rotated” regenerated. Its old secret no longer works.")).ToBeVisibleAsync();

        newToken.Should().NotBe(oldToken);
        await Expect(developers.Row("Rotated")).ToContainTextAsync(ApiTokenFormat.Hint(newToken));
        await Expect(developers.Row("Rotated")).ToContainTextAsync("Expires on");
        (await PageText.WithInputValuesAsync(page)).Should().NotContain(newToken);
        (await browser.CallMeAsync(oldToken)).Should().Be(HttpStatusCode.Unauthorized);
        (await browser.CallMeAsync(newToken)).Should().Be(HttpStatusCode.OK);
        await Expect(developers.SecurityLog).ToContainTextAsync("Token regenerated");
    }

    [BrowserFact]
    public async Task Edit_renames_a_token_and_describes_it_and_the_token_keeps_working()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("Laptop script");
        await developers.CreateButton.ClickAsync();
        var token = await developers.TakeShownTokenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit Laptop script" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Edit token" });
        await Expect(dialog.GetByLabel("Token name")).ToBeFocusedAsync();
        await dialog.GetByLabel("Token name").FillAsync("Backup job");
        await dialog.GetByLabel("Description (optional)").FillAsync("Nightly export on the NAS");
        await dialog.GetByLabel("Description (optional)").PressAsync("Enter");

        await Expect(page.GetByText("Token “Backup job” saved.")).ToBeVisibleAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(developers.Row("Backup job")).ToContainTextAsync("Nightly export on the NAS");
        await Expect(developers.Row("Laptop script")).ToHaveCountAsync(0);
        await Expect(developers.SecurityLog).ToContainTextAsync("Token renamed");
        await Expect(developers.SecurityLog).ToContainTextAsync("Token description changed");
        (await browser.CallMeAsync(token)).Should().Be(HttpStatusCode.OK);
    }

    [BrowserFact]
    public async Task API_Documentation_opens_the_reference_which_shows_how_to_send_the_token()
    {
        var (_, page, _) = await browser.OpenDevelopersAsNewUserAsync();

        var reference = await page.Context.RunAndWaitForPageAsync(() =>
            page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "API Documentation" }).ClickAsync());
        await Expect(reference).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("BeatPass API"));
        // The reference renders in the browser from the OpenAPI document; give a cold start time.
        await Expect(reference.GetByText("The account and token behind the request").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(reference.GetByText("Authorization: Bearer bpat_…").First).ToBeVisibleAsync();
        await reference.ScreenshotAsync(new() { Path = Screenshots.PathFor("api-reference.png") });
    }
}
