using System.Globalization;
using System.Text.RegularExpressions;

namespace BeatPass.Web.Components.Shared;

/// <summary>
/// The reader's time zone, and how dates read in it ("Dec 27, 2026"). The server stores and compares times in UTC;
/// the pages show them in the zone the browser reports (wwwroot/preferences.js keeps it in a cookie), or in UTC
/// when it has not said.
/// </summary>
public sealed partial class LocalTimeZone(TimeZoneInfo zone)
{
    public const string CookieName = "beatpass-tz";

    public static readonly LocalTimeZone Utc = new(TimeZoneInfo.Utc);

    /// <summary>The zone a cookie names (IANA, such as "America/Los_Angeles"); UTC for anything else.</summary>
    /// <remarks>The id must look like one before it is looked up: on Linux the lookup reads a file by that name.</remarks>
    public static LocalTimeZone FromCookie(string? id) =>
        id is { Length: <= 64 } && IanaId().IsMatch(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? new(zone) : Utc;

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")]
    private static partial Regex IanaId();

    public string Id => zone.Id;

    public DateTime ToLocal(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    /// <summary>When <paramref name="date"/> ends here, in UTC: what a token set to expire on that date expires at.</summary>
    public DateTime EndOfDay(DateOnly date) => BeatPass.Core.ApiTokens.ApiTokenExpiration.EndOfDay(date, zone);

    /// <summary>"Dec 27, 2026".</summary>
    public string Date(DateTime utc) => ToLocal(utc).ToString("MMM d, yyyy", CultureInfo.InvariantCulture);

    /// <summary>"Dec 27, 2026 at 3:30 PM".</summary>
    public string DateAndTime(DateTime utc) => ToLocal(utc).ToString("MMM d, yyyy 'at' h:mm tt", CultureInfo.InvariantCulture);

    /// <summary>"Dec 27, 2026, 3:30:05 PM America/Los_Angeles (UTC−08:00)": for a tooltip, to the second, zone named.</summary>
    public string Exact(DateTime utc)
    {
        var local = ToLocal(utc);
        var offset = zone.GetUtcOffset(local);
        var sign = offset < TimeSpan.Zero ? "−" : "+";
        return string.Create(CultureInfo.InvariantCulture,
            $"{local:MMM d, yyyy, h:mm:ss tt} {zone.Id} (UTC{sign}{offset.Duration():hh\\:mm})");
    }

    /// <summary>When a token expires: the date, and the time too when it is less than 48 hours away (or ago).</summary>
    public string Expiry(DateTime utc, DateTime nowUtc) =>
        (utc - nowUtc).Duration() < TimeSpan.FromHours(48) ? DateAndTime(utc) : Date(utc);
}
