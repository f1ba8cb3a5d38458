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
    /// How long a cached token is trusted before it is read again. Changes reach the cache without waiting for it:
    /// this node's own at once, other nodes' by notification (PostgreSQL), another process's on the same SQLite file
    /// from the change log within a second. So it only bounds how long a change goes unseen if all of that fails (a
    /// lost notification while the listener reconnects). Minutes, not seconds: a script that calls every few
    /// minutes then finds its token cached instead of costing a query each time. Expiry is compared on every request
    /// whatever this is.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheEntryLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
