using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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
    /// from the change log within a second; and a listener that lost its connection (noticed within seconds, by
    /// keepalives) clears the whole cache when it is back. So this only bounds how long a change goes unseen if all of
    /// that fails unnoticed. Half an hour, not seconds: a script that calls every few minutes then finds its token
    /// cached for several calls in a row instead of costing a query each time. Expiry is compared on every request
    /// whatever this is.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheEntryLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often the uses of tokens (last used, from where, with what) are written, in one transaction
    /// (<see cref="ApiTokenUses"/>). A crash loses at most this much of them; a graceful stop writes them first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan LastUsedWriteInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Permissions that other BeatPass services enforce (<c>library:read</c>, say), offered beside the built-in ones and
    /// returned by introspection. Checked at start (<see cref="ApiPermissionCatalog.Problems"/>); one removed later
    /// stops working on the tokens that hold it, which list it as no longer available.
    /// </summary>
    public List<ExtraApiPermission> ExtraPermissions { get; set; } = [];
}

/// <summary>One entry of <c>ApiTokens:ExtraPermissions</c>.</summary>
public sealed class ExtraApiPermission
{
    public string? Name { get; set; }

    public string? Area { get; set; }

    public string? Description { get; set; }

    public bool StaffOnly { get; set; }
}

/// <summary>Stops the app at start when <c>ApiTokens:ExtraPermissions</c> has a bad, repeated or built-in name.</summary>
public sealed class ApiTokenOptionsValidator : IValidateOptions<ApiTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenOptions options)
    {
        var problems = ApiPermissionCatalog.Problems(options.ExtraPermissions);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems);
    }
}
