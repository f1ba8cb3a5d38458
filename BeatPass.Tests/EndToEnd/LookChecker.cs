using Deque.AxeCore.Commons;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>
/// Checks pages as a person sees them at one size and in one mode, and collects what is wrong, so that one run shows
/// every problem: axe's serious and critical violations, labels and table cells broken inside a word, tables cut off at the side, touch targets under 44 px on a
/// phone, a page without the BeatPass top bar. Takes a screenshot of each.
/// </summary>
public sealed class LookChecker(string look, bool isPhone)
{
    private const int MinimumTouchTarget = 44;

    private const double MinimumTextContrast = 4.5; // WCAG 1.4.3 for body-size text

    public List<string> Problems { get; } = [];

    public async Task CheckAsync(IPage page, string path, string heading, string name)
    {
        await page.GotoAsync(path);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true }).First).ToBeVisibleAsync();
        await CheckCurrentAsync(page, name);
    }

    public async Task CheckCurrentAsync(IPage page, string name)
    {
        await Axe.WaitUntilSettledAsync(page);
        var where = $"{look} {name} ({page.Url})";
        if (await page.Locator(".mud-appbar").Filter(new() { HasText = "BeatPass" }).CountAsync() == 0)
        {
            Problems.Add($"{where}: no BeatPass top bar");
        }

        Problems.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{where}: {v}"));
        Problems.AddRange((await page.EvaluateAsync<string[]>(BrokenLabelsScript)).Select(l => $"{where}: label broken inside a word: {l}"));
        Problems.AddRange((await page.EvaluateAsync<string[]>(FilledControlContrastScript, MinimumTextContrast))
            .Select(c => $"{where}: text on its own background under {MinimumTextContrast}:1: {c}"));
        Problems.AddRange((await page.EvaluateAsync<string[]>(CutOffTablesScript)).Select(t => $"{where}: table wider than its box (scrolls sideways): {t}"));
        if (isPhone)
        {
            Problems.AddRange((await page.EvaluateAsync<string[]>(SmallTouchTargetsScript, MinimumTouchTarget))
                .Select(t => $"{where}: touch target under {MinimumTouchTarget} px: {t}"));
        }

        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor(Path.Combine("look", $"{look}-{name}.png")), FullPage = true });
    }

    /// <summary>Checks a snackbar while it shows (held open by the pointer resting on it): its contrast above all.</summary>
    public async Task CheckSnackbarAsync(IPage page, string text)
    {
        var snackbar = page.Locator(".mud-snackbar").Filter(new() { HasText = text });
        await snackbar.HoverAsync();
        await Axe.WaitUntilSettledAsync(page);
        var where = $"{look} snackbar \"{text}\"";
        Problems.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{where}: {v}"));
        await page.ScreenshotAsync(new() { Path = Screenshots.PathFor(Path.Combine("look", $"{look}-snackbar.png")) });
    }

    // A word is broken when its letters sit on more than one line. Table labels on a phone are drawn by ::before
    // (data-label): there, the label's box must be at least as wide as its longest word.
    private const string BrokenLabelsScript = """
        () => {
            const broken = [];
            const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
            const labels = 'h1, h2, h3, th, td, button, label, a, [role=tab], .mud-nav-link-text, .mud-input-label, .mud-chip-content';
            for (const label of document.querySelectorAll(labels)) {
                if (!visible(label)) continue;
                const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
                for (let node; (node = walker.nextNode());) {
                    for (const word of node.data.matchAll(/\S{2,}/g)) {
                        const range = document.createRange();
                        range.setStart(node, word.index);
                        range.setEnd(node, word.index + word[0].length);
                        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
                        if (lines.size > 1) broken.push(`${label.tagName.toLowerCase()} "${word[0]}"`);
                    }
                }
            }
            const canvas = document.createElement('canvas').getContext('2d');
            for (const cell of document.querySelectorAll('td[data-label]')) {
                const before = getComputedStyle(cell, '::before');
                if (!visible(cell) || before.content === 'none' || before.display === 'none' || !cell.dataset.label) continue;
                canvas.font = `${before.fontWeight} ${before.fontSize} ${before.fontFamily}`;
                const widest = Math.max(...cell.dataset.label.split(/\s+/).map(w => canvas.measureText(w).width));
                const padding = before.boxSizing === 'border-box' ? parseFloat(before.paddingLeft) + parseFloat(before.paddingRight) : 0;
                const width = parseFloat(before.width) - padding;
                if (width + 1 < widest) broken.push(`table label "${cell.dataset.label}"`);
            }
            return broken;
        }
        """;

    // A table whose columns need more room than the page gives it scrolls sideways inside its box: its last column
    // (the row's buttons) is cut off until someone thinks to scroll.
    private const string CutOffTablesScript = """
        () => [...document.querySelectorAll('.mud-table-container')]
            .filter(box => box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1)
            .map(box => `${box.closest('[aria-label]')?.getAttribute('aria-label') ?? 'a table'}: ${box.scrollWidth} px in ${box.clientWidth} px`)
        """;

    // The text of a control with a background of its own (a filled button, a chip) against that background. axe leaves
    // these out when it cannot be sure what lies behind a button (it files them as "incomplete"), so a page stylesheet
    // that recolours a filled button's text to its background colour would pass axe unseen.
    private const string FilledControlContrastScript = """
        minimum => {
            const rgba = c => { const m = c.match(/^rgba?\(([^)]+)\)$/); return m ? m[1].split(/[ ,\/]+/).map(Number) : null; };
            const luminance = ([r, g, b]) => [r, g, b]
                .map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
                .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
            const problems = [];
            for (const control of document.querySelectorAll('button, a, [role=button], .mud-chip')) {
                const text = control.innerText?.trim();
                // Disabled controls are exempt from contrast (WCAG 1.4.3).
                if (!text || control.getClientRects().length === 0 || control.matches(':disabled, [aria-disabled=true], .mud-disabled')) continue;
                const style = getComputedStyle(control);
                const background = rgba(style.backgroundColor), colour = rgba(style.color);
                if (!background || !colour || (background[3] ?? 1) < 1) continue;
                const [light, dark] = [luminance(colour), luminance(background)].sort((a, b) => b - a);
                const ratio = (light + 0.05) / (dark + 0.05);
                if (ratio < minimum) problems.push(`"${text.slice(0, 40)}" ${ratio.toFixed(2)}:1 (${style.color} on ${style.backgroundColor})`);
            }
            return problems;
        }
        """;

    // Buttons, switches and menu items a thumb must hit; links inside running text are exempt (WCAG 2.5.8).
    private const string SmallTouchTargetsScript = """
        minimum => [...document.querySelectorAll('button, summary, .mud-button-root, .mud-nav-link, [role=switch], [role=menuitem]')]
            .filter(e => e.getClientRects().length > 0 && !e.closest('.mud-switch') || e.matches('.mud-switch-base'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.height < minimum - 0.5 || r.width < minimum - 0.5); })
            .map(e => { const r = e.getBoundingClientRect(); return `${(e.innerText || e.getAttribute('aria-label') || e.className).trim().slice(0, 40)} ${Math.round(r.width)}×${Math.round(r.height)}`; })
        """;
}

/// <summary>axe-core, run on a page once it has settled.</summary>
public static class Axe
{
    /// <summary>True when no finite CSS animation or transition is running (spinners run forever and don't count).</summary>
    private const string SettledScript = """
        () => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)
        """;

    /// <summary>
    /// Waits until the page is as a person reads it: loaded, not in the middle of a reload of its data, and with every
    /// transition finished. A button that has just been enabled fades from grey to its colour over 250 ms, and axe
    /// reads the colours of that moment: white text on a half-faded background fails contrast.
    /// </summary>
    public static async Task WaitUntilSettledAsync(IPage page)
    {
        await Expect(page.GetByRole(AriaRole.Progressbar)).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync(SettledScript);
    }

    // axe-core as Deque's package bundles it, put in a page once and run there, returning only what is reported:
    // far less to carry back than the whole result.
    private static readonly string AxeSource = new BundledAxeScriptProvider().GetScript();

    private const string SeriousViolationsScript = """
        async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.html).join(', ')}`);
        }
        """;

    /// <summary>axe's violations of impact "serious" or "critical", each with where it was found.</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(AxeSource);
        }

        return await page.EvaluateAsync<string[]>(SeriousViolationsScript);
    }
}
