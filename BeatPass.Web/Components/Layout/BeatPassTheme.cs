using MudBlazor;

namespace BeatPass.Web.Components.Layout;

public static class BeatPassTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#5b2bd6",
            Secondary = "#e0457b",
            AppbarBackground = "#1f1147",
            // Darker than MudBlazor's own, so warning, error and info text, and white text on success snackbars,
            // reach WCAG AA contrast (axe checks it).
            Warning = "#9a4d00",
            Error = "#c62828",
            Info = "#0a5ca8",
            Success = "#1b7a34",
        },
        // Buttons say what SPEC says, in its case ("Create token", not "CREATE TOKEN").
        Typography = new Typography
        {
            Button = new ButtonTypography { TextTransform = "none" },
        },
    };
}
