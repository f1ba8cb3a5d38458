using System.ComponentModel.DataAnnotations;

namespace BeatPass.Web.Security;

/// <summary>Section <c>AccountRateLimit</c>: how often one address may post the sign-in and account forms.</summary>
public sealed class AccountRateLimitOptions
{
    public const string SectionName = "AccountRateLimit";

    /// <summary>Posts of the sign-in, register, forgot-password and resend forms one address may make per window.</summary>
    [Range(1, int.MaxValue)]
    public int PostsPerWindow { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
