using System.ComponentModel.DataAnnotations;

namespace BeatPass.Web.Identity;

/// <summary>Section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>How often an open tab re-checks its sign-in (session, security stamp, roles).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CircuitRevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}
