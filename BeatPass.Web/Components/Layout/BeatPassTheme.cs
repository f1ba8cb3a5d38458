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
            // Darker than MudBlazor's own, so warning and error text reaches WCAG AA contrast (axe checks it).
            Warning = "#9a4d00",
            Error = "#c62828",
        },
        // Buttons say what SPEC says, in its case ("Create token", not "CREATE TOKEN").
        Typography = new Typography
        {
            Button = new ButtonTypography { TextTransform = "none" },
        },
    };
}
