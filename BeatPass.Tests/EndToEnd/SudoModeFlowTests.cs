using BeatPass.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>Sudo mode: more than 10 minutes after signing in, creating a token asks for the password first.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SudoModeFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Eleven_minutes_after_sign_in_creating_a_token_asks_for_the_password_then_not_again()
    {
        var (user, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        browser.App.Time.Advance(TimeSpan.FromMinutes(11));
        var confirmAccess = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm access" });

        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(confirmAccess).ToBeVisibleAsync();
        await Expect(developers.CreateDialog).ToHaveCountAsync(0);
        var password = confirmAccess.GetByLabel("Password");
        await Expect(password).ToBeFocusedAsync();
        await password.FillAsync("Wrong-password-1");
        await confirmAccess.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(confirmAccess.GetByText("That password is not right.")).ToBeVisibleAsync();
        await password.FillAsync(BeatPassAppFactory.Password);
        await password.PressAsync("Enter");

        await Expect(confirmAccess).ToBeHiddenAsync();
        await Expect(developers.CreateDialog).ToBeVisibleAsync();
        await developers.TokenName.FillAsync("After sudo");
        await developers.CreateButton.ClickAsync();
        await developers.TakeShownTokenAsync();
        await Expect(developers.Row("After sudo")).ToBeVisibleAsync();

        // Confirmed a moment ago: regenerating goes straight to its own confirmation.
        await developers.Row("After sudo").GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Expect(developers.RegenerateConfirmation).ToBeVisibleAsync();
        await Expect(confirmAccess).ToHaveCountAsync(0);
        (await browser.App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Id == user.Id).AccessFailedCount)))
            .Should().Be(0, "the right password clears the wrong one's count");
    }

    [BrowserFact]
    public async Task Cancelling_the_password_prompt_creates_nothing()
    {
        var (user, page, _) = await browser.OpenDevelopersAsNewUserAsync();
        browser.App.Time.Advance(TimeSpan.FromMinutes(11));

        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var confirmAccess = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm access" });
        await confirmAccess.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Expect(confirmAccess).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        (await browser.App.WithTokenServiceAsync(tokens => tokens.ListAsync(user.Id))).Should().BeEmpty();
    }
}
