namespace BeatPass.Core.ApiTokens;

/// <summary>What the owner sees of a token in the list.</summary>
/// <param name="IssuedAt">When the current secret was issued: creation, or the last regeneration.</param>
/// <param name="Permissions">What it may do, as chosen at creation (some may no longer work, see <see cref="ApiPermissionCatalog.Effective"/>).</param>
/// <param name="RevokedAt">When BeatPass revoked it; a revoked token never works again.</param>
/// <param name="NoLongerAvailable">Of <paramref name="Permissions"/>, those that no longer work: staff-only ones once the holder left the Staff role.</param>
/// <param name="LastUsedFrom">The last few distinct client addresses it was used from, newest first.</param>
/// <param name="LastUsedUserAgent">The <c>User-Agent</c> of its last use, if it sent one.</param>
/// <param name="LastUsedByService">The BeatPass service that asked about it at its last use (an introspection), if one did.</param>
/// <param name="Description">What the holder wrote to tell it apart, if anything.</param>
/// <param name="RevokedFoundAt">Where a leak report found the secret, when one revoked the token and said where.</param>
public sealed record ApiTokenSummary(
    Guid Id, string Name, string Hint, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime IssuedAt,
    IReadOnlyList<string> Permissions, DateTime? RevokedAt = null, string? RevokedReason = null, IReadOnlyList<string>? NoLongerAvailable = null,
    IReadOnlyList<string>? LastUsedFrom = null, string? LastUsedUserAgent = null, string? RevokedFoundAt = null, string? LastUsedByService = null,
    string? Description = null)
{
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>False for a permission the token holds that no longer works (see <see cref="NoLongerAvailable"/>).</summary>
    public bool IsAvailable(string permission) => NoLongerAvailable?.Contains(permission) != true;

    public bool IsExpired(DateTime now) => ExpiresAt <= now;
}
