using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>What a hostile or careless person can type or paste into the Developers page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HostileInputFlowTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task A_pasted_megabyte_name_is_cut_at_the_field_and_refused_with_a_clear_error()
    {
        var (user, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("");

        await developers.TokenName.FocusAsync();
        await page.Keyboard.InsertTextAsync(new string('x', 1024 * 1024));

        await Expect(developers.CreateDialog).ToContainTextAsync("The token name must be at most 100 characters.");
        await Expect(developers.CreateButton).ToBeDisabledAsync();
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_message_over_the_circuits_limit_closes_the_circuit_and_the_app_carries_on()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("");
        var reconnectModal = page.Locator("#components-reconnect-modal");
        await Expect(reconnectModal).ToHaveCountAsync(0);

        // What a modified page could send: a value set by script, past the field's maxlength. 12,000 characters close
        // the circuit under BeatPass's limit; under SignalR's default limit the same message goes through (tried).
        await developers.TokenName.EvaluateAsync(
            "field => { field.value = 'x'.repeat(12000); field.dispatchEvent(new Event('input', { bubbles: true })); }");

        await Expect(reconnectModal).ToBeAttachedAsync(new() { Timeout = 15_000 });
        (await browser.CreateApiClient().GetAsync("/health")).IsSuccessStatusCode.Should().BeTrue();
    }

    [BrowserFact]
    public async Task A_name_sent_past_the_fields_limit_is_refused_by_Create_and_stores_nothing()
    {
        var (user, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("");

        // Under the circuit's limit, over the name's: the page's own checks and then the service must refuse it.
        await developers.TokenName.EvaluateAsync(
            "field => { field.value = 'x'.repeat(200); field.dispatchEvent(new Event('input', { bubbles: true })); }");
        await Expect(developers.CreateDialog).ToContainTextAsync("The token name must be at most 100 characters.");
        await developers.TokenName.PressAsync("Enter");

        await Expect(developers.CreateButton).ToBeDisabledAsync();
        await Expect(developers.CreateDialog).ToBeVisibleAsync();
        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Should().BeEmpty();
        await Expect(page.Locator("#components-reconnect-modal")).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task Invisible_direction_and_null_characters_are_refused_under_the_field()
    {
        var (user, _, developers) = await browser.OpenDevelopersAsNewUserAsync();
        await developers.OpenCreateDialogAsync("");
        (string Name, string Error)[] cases =
        [
            ("evil\u202Egnp.exe", "The token name can't contain invisible characters, special spaces or text-direction characters. Use plain spaces between words."),
            ("zero\u200Bwidth", "The token name can't contain invisible characters, special spaces or text-direction characters. Use plain spaces between words."),
            ("nul\0byte", "The token name can't contain control characters such as tabs or line breaks."),
        ];

        foreach (var (name, error) in cases)
        {
            await developers.TokenName.FillAsync(name);

            await Expect(developers.CreateDialog).ToContainTextAsync(error);
            await Expect(developers.CreateButton).ToBeDisabledAsync();
        }

        (await browser.App.WithTokenServiceAsync(t => t.ListAsync(user.Id))).Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_name_with_markup_is_shown_as_text_and_never_run()
    {
        var (_, page, developers) = await browser.OpenDevelopersAsNewUserAsync();
        const string name = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>";
        await developers.OpenCreateDialogAsync(name);
        await developers.CreateButton.ClickAsync();
        await developers.TakeShownTokenAsync();

        await Expect(developers.Row("<script>")).ToContainTextAsync(name);
        (await page.Locator("table img, table script").CountAsync()).Should().Be(0);
        (await page.EvaluateAsync<bool>("() => window.__pwned === 1")).Should().BeFalse();
    }
}
