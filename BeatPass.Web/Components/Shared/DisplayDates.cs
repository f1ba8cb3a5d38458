using System.Globalization;

namespace BeatPass.Web.Components.Shared;

/// <summary>How dates read on the pages: "Dec 4, 2026", in UTC like every time the app stores.</summary>
public static class DisplayDates
{
    public static string Date(DateTime utc) => utc.ToString("MMM d, yyyy", CultureInfo.InvariantCulture);
}
