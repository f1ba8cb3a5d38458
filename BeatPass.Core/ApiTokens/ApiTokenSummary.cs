namespace BeatPass.Core.ApiTokens;

/// <summary>What the owner sees of a token in the list.</summary>
/// <param name="IssuedAt">When the current secret was issued: creation, or the last regeneration.</param>
public sealed record ApiTokenSummary(
    Guid Id, string Name, string Hint, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime IssuedAt)
{
    public bool IsExpired(DateTime now) => ExpiresAt <= now;

    /// <summary>When a secret regenerated at <paramref name="now"/> would expire: the same period, from then on.</summary>
    public DateTime? ExpiresAtIfRegenerated(DateTime now) => ApiTokenExpiration.Regenerated(now, IssuedAt, ExpiresAt);
}
