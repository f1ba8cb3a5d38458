using Microsoft.Playwright;

namespace BeatPass.Tests.EndToEnd;

public static class PageText
{
    /// <summary>
    /// The page's HTML and the values of its fields. Blazor sets a field's value as a property, which the HTML never
    /// shows, and a secret on the page would sit in a field.
    /// </summary>
    public static Task<string> WithInputValuesAsync(IPage page) => page.EvaluateAsync<string>(
        "() => document.documentElement.outerHTML + '\\n' + [...document.querySelectorAll('input, textarea')].map(f => f.value).join('\\n')");
}
