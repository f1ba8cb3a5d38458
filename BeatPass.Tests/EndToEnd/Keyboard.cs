using Microsoft.Playwright;

namespace BeatPass.Tests.EndToEnd;

/// <summary>Moving through a page the way a keyboard user does.</summary>
public static class Keyboard
{
    /// <summary>Presses Tab until the focused element's text (or its field's label) is <paramref name="text"/>; fails after 30 presses.</summary>
    public static async Task TabToAsync(IPage page, string text)
    {
        for (var i = 0; i < 30; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await FocusedTextAsync(page) == text)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tab never reached \"{text}\"; last focused: \"{await FocusedTextAsync(page)}\".");
    }

    /// <summary>
    /// Waits until the page has moved the focus to its title (the router's FocusOnNavigate focuses the h1 after each
    /// navigation), as a keyboard user sees it. Tabbing before then races it: the focus can be taken back to the
    /// title between reaching a button and pressing Enter on it (failed once in eight runs).
    /// </summary>
    public static Task WaitForFocusOnTitleAsync(IPage page) =>
        Assertions.Expect(page.Locator("h1")).ToBeFocusedAsync();

    /// <summary>
    /// Waits until a dialog that just opened has moved the focus into itself (MudBlazor focuses its first element once
    /// it is shown). Tabbing before then races it: the focus can be taken back between reaching a button and pressing
    /// Enter on it.
    /// </summary>
    public static Task WaitForFocusInAsync(ILocator dialog) =>
        Assertions.Expect(dialog.Locator("*:focus")).ToHaveCountAsync(1);

    /// <summary>Whether the focused element shows a focus indicator (the browser's :focus-visible).</summary>
    public static Task<bool> FocusIsVisibleAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.activeElement?.matches(':focus-visible') ?? false");

    private static Task<string> FocusedTextAsync(IPage page) => page.EvaluateAsync<string>(
        "() => { const e = document.activeElement; return (e?.getAttribute('aria-label') || e?.labels?.[0]?.innerText || e?.innerText || e?.value || '').trim(); }");
}
