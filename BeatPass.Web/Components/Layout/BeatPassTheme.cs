using MudBlazor;

namespace BeatPass.Web.Components.Layout;

/// <summary>
/// The one source of BeatPass's colours, for the MudBlazor pages and the Identity UI pages alike. Both palettes are
/// written out as CSS variables (<see cref="ThemeStyles"/>); which one applies is the <c>data-theme</c> attribute of
/// the page, so a page can switch between light and dark without a render.
/// </summary>
public static class BeatPassTheme
{
    /// <summary>The cookie that remembers a reader's choice; without it, pages follow the system preference.</summary>
    public const string CookieName = "beatpass-theme";

    // BeatPass's night purple: the top bar in both modes, and the text on light purple buttons in dark mode.
    private const string Night = "#1f1147";

    public static readonly PaletteLight Light = new()
    {
        Primary = "#5b2bd6",
        Secondary = "#e0457b",
        AppbarBackground = Night,
        // Darker than MudBlazor's own, so warning, error and info text, and white text on filled snackbars and
        // buttons, reach WCAG AA contrast (axe checks it).
        Warning = "#9a4d00",
        Error = "#c62828",
        Info = "#0a5ca8",
        Success = "#1b7a34",
    };

    // Light colours on dark surfaces; filled elements (buttons, snackbars) carry dark text on them.
    public static readonly PaletteDark Dark = new()
    {
        Primary = "#b9a3ff",
        PrimaryContrastText = Night,
        Secondary = "#ff8fb4",
        SecondaryContrastText = "#3b0a1c",
        AppbarBackground = Night,
        Background = "#15131d",
        Surface = "#211e2b",
        DrawerBackground = "#211e2b",
        Warning = "#ffb74d",
        WarningContrastText = "#2e1b00",
        Error = "#ff8a80",
        ErrorContrastText = "#3b0a06",
        Info = "#7cc4ff",
        InfoContrastText = "#06233d",
        Success = "#6fdc8c",
        SuccessContrastText = "#0d2716",
    };

    // Buttons read as written ("Create token", not "CREATE TOKEN").
    private static readonly Typography Typography = new()
    {
        Button = new ButtonTypography { TextTransform = "none" },
    };

    public static readonly MudTheme Theme = new() { PaletteLight = Light, PaletteDark = Dark, Typography = Typography };

    /// <summary>The same theme, its variables scoped to a page in dark mode.</summary>
    public static readonly MudTheme DarkTheme = new()
    {
        PaletteLight = Light,
        PaletteDark = Dark,
        Typography = Typography,
        PseudoCss = new PseudoCss { Scope = ":root[data-theme=dark]" },
    };

    /// <summary>"light" or "dark" when the reader chose one; null to follow the system.</summary>
    public static string? ChosenMode(HttpRequest request) =>
        request.Cookies[CookieName] is "light" or "dark" ? request.Cookies[CookieName] : null;
}
