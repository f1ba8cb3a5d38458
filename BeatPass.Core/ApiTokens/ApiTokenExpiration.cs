namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The expiration choices "Create new token" offers, shared by the service and the form. Times are UTC; a
/// token set to expire on a date expires at that date's time of day of its creation, like "in N days".
/// </summary>
public static class ApiTokenExpiration
{
    public static readonly IReadOnlyList<int> PresetDays = [7, 30, 60, 90];

    public static DateTime InDays(DateTime now, int days) => now.AddDays(days);

    /// <summary>A regenerated secret keeps its token's expiration period, counted from <paramref name="now"/>.</summary>
    public static DateTime? Regenerated(DateTime now, DateTime issuedAt, DateTime? expiresAt) => now + (expiresAt - issuedAt);

    public static DateTime OnDate(DateTime now, DateOnly date) => OnDate(now, date, DateOnly.FromDateTime(now));

    /// <summary>Expires on <paramref name="date"/> of the reader's calendar, whose date is <paramref name="today"/> now.</summary>
    public static DateTime OnDate(DateTime now, DateOnly date, DateOnly today) => now.AddDays(date.DayNumber - today.DayNumber);

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

        var (_, last) = CustomDateRange(now);
        if (expiry > OnDate(now, last))
        {
            return "Choose an expiration date at most a year from today.";
        }

        return null;
    }
}
