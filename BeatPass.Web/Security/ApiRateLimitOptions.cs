using System.ComponentModel.DataAnnotations;

namespace BeatPass.Web.Security;

/// <summary>Section <c>ApiRateLimit</c>: how many failed API authentications an address may make.</summary>
public sealed class ApiRateLimitOptions
{
    public const string SectionName = "ApiRateLimit";

    /// <summary>Failed API authentications one address (an IPv6 /64) may make per window before its failures get 429.</summary>
    [Range(1, int.MaxValue)]
    public int FailuresPerWindow { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Failures per second this node counts one by one, from all addresses together (a node-wide budget, not a
    /// per-address one); past it, only a sample is counted (see <see cref="FailedAuthenticationLimit.SampleEvery"/>).
    /// </summary>
    [Range(1, int.MaxValue)]
    public int GlobalFailuresPerSecond { get; set; } = 1000;
}
