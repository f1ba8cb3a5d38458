namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The expiration choices "Create new token" offers, shared by the service and the form. Times are UTC; a
/// token set to expire on a date works until the end of that day in its holder's time zone.
/// </summary>
public static class ApiTokenExpiration
{
    public static readonly IReadOnlyList<int> PresetDays = [7, 30, 60, 90];

    /// <summary>What "Create new token" starts with, as GitHub and GitLab do.</summary>
    public const int DefaultDays = 30;

    /// <summary>How soon an expiry is marked in the token list ("Expires in 3 days").</summary>
    public static readonly TimeSpan Soon = TimeSpan.FromDays(7);

    public static DateTime InDays(DateTime now, int days) => now.AddDays(days);

    /// <summary>A regenerated secret keeps its token's expiration period, counted from <paramref name="now"/>.</summary>
    public static DateTime? Regenerated(DateTime now, DateTime issuedAt, DateTime? expiresAt) => now + (expiresAt - issuedAt);

    /// <summary>
    /// The end of <paramref name="date"/> in <paramref name="zone"/>, in UTC: its last second (23:59:59), so the
    /// token lists and emails name the date that was picked, not the next one at midnight.
    /// </summary>
    public static DateTime EndOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var midnight = date.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // A zone that skips midnight for summer time starts that day an hour later.
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddHours(1);
        }

        return TimeZoneInfo.ConvertTimeToUtc(midnight, zone).AddSeconds(-1);
    }

    /// <summary>The first and last dates a custom expiration may pick, for a date picker.</summary>
    public static (DateOnly First, DateOnly Last) CustomDateRange(DateTime now) => CustomDateRange(DateOnly.FromDateTime(now));

    public static (DateOnly First, DateOnly Last) CustomDateRange(DateOnly today) => (today.AddDays(1), today.AddYears(1));

    /// <summary>The error to show for this expiry, or null when it is acceptable.</summary>
    public static string? Validate(DateTime? expiresAt, DateTime now)
    {
        if (expiresAt is not { } expiry)
        {
            return null;
        }

        if (expiry <= now)
        {
            return "Choose an expiration date after today.";
        }

        // The end of the last day a picker offers: a year from today, wherever the holder is.
        if (expiry > now.AddYears(1).AddDays(1))
        {
            return "Choose an expiration date at most a year from today.";
        }

        return null;
    }
}
