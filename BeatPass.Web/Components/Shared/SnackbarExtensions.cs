using MudBlazor;

namespace BeatPass.Web.Components.Shared;

public static class SnackbarExtensions
{
    /// <summary>
    /// Shows <paramref name="message"/> in place of whatever snackbar was showing: one at a time, as Material Design
    /// has it, so an error never stays beside the message that follows its fix and snackbars never stack up over a table.
    /// </summary>
    public static Snackbar? Show(this ISnackbar snackbar, string message, Severity severity)
    {
        snackbar.Clear();
        return snackbar.Add(message, severity);
    }
}
