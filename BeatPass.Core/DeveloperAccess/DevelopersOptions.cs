using System.ComponentModel.DataAnnotations;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>Section <c>Developers</c>.</summary>
public sealed class DevelopersOptions
{
    public const string SectionName = "Developers";

    /// <summary>Where an account without developer access is told to ask for it.</summary>
    [EmailAddress]
    public string AccessRequestEmail { get; set; } = "contact@beatpass.ca";

    /// <summary>How long after a declined request the account may ask again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan RequestCooldown { get; set; } = TimeSpan.FromDays(30);
}
