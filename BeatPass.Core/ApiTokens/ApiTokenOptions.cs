using System.ComponentModel.DataAnnotations;

namespace BeatPass.Core.ApiTokens;

public sealed class ApiTokenOptions
{
    public const string SectionName = "ApiTokens";

    /// <summary>How many tokens one account may hold at once.</summary>
    [Range(1, 10_000)]
    public int MaxTokensPerAccount { get; set; } = 100;

    /// <summary>How many tokens each node keeps in its authentication cache.</summary>
    [Range(1, 10_000_000)]
    public int CacheCapacity { get; set; } = 100_000;

    /// <summary>
    /// How long a cached token is trusted before it is read again. Changes made on this node invalidate the
    /// cache at once; this bounds how long a change made by another node can go unseen.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheEntryLifetime { get; set; } = TimeSpan.FromSeconds(30);
}
