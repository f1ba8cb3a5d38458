using System.ComponentModel.DataAnnotations;

namespace BeatPass.Web.SecretScanning;

/// <summary>Leaked tokens: GitHub's partner alerts and the public revocation (section <c>SecretScanning</c>).</summary>
public sealed class SecretScanningOptions
{
    public const string SectionName = "SecretScanning";

    public GitHubSettings GitHub { get; set; } = new();

    /// <summary>Posts to <c>/credentials/revoke</c> and the "Report an exposed token" page one address may make an hour.</summary>
    [Range(1, int.MaxValue)]
    public int PublicRevocationsPerHour { get; set; } = 60;

    public sealed class GitHubSettings
    {
        public const string DefaultKeysUrl = "https://api.github.com/meta/public_keys/secret_scanning";

        /// <summary>Where GitHub publishes the keys its alerts are signed with.</summary>
        [Required]
        public Uri KeysUrl { get; set; } = new(DefaultKeysUrl);
    }
}
