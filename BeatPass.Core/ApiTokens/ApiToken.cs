using BeatPass.Core.Data;

namespace BeatPass.Core.ApiTokens;

/// <summary>A personal API token as stored: only the SHA-256 of the secret, never the secret itself.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public required string UserId { get; set; }

    public BeatPassUser? User { get; set; }

    public required string Name { get; set; }

    /// <summary>Upper-cased name, so names are unique per account whatever their case.</summary>
    public required string NormalizedName { get; set; }

    /// <summary>What the holder wrote to tell the token apart later (see <see cref="ApiTokenNameRules.ValidateDescription"/>); null for none.</summary>
    public string? Description { get; set; }

    public required byte[] TokenHash { get; set; }

    /// <summary>What the owner sees of the token, e.g. <c>bpat_…x9Qa</c>.</summary>
    public required string Hint { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the current secret was issued: creation, or the last regeneration.</summary>
    public DateTime IssuedAt { get; set; }

    /// <summary>After this instant the API refuses the token; null for a token that never expires.</summary>
    public DateTime? ExpiresAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    /// <summary>
    /// The last few distinct client addresses the token was used from, newest first, separated by spaces (at most
    /// <see cref="ApiTokenUses.MaxAddresses"/>); written with <see cref="LastUsedAt"/> by <see cref="ApiTokenUses"/>.
    /// </summary>
    public string? LastUsedFrom { get; set; }

    /// <summary>The <c>User-Agent</c> of the token's last use, cut to <see cref="ApiTokenUses.MaxUserAgentLength"/>.</summary>
    public string? LastUsedUserAgent { get; set; }

    /// <summary>The service that asked about the token at its last use (an introspection); null for a use of the API itself.</summary>
    public string? LastUsedByService { get; set; }

    /// <summary>The last expiry email sent for the current secret, so each goes once, even across restarts.</summary>
    public ExpiryNotice ExpiryNotice { get; set; }

    /// <summary>
    /// True for a secret issued before tokens carried a tag (see <see cref="ApiTokenFormat"/>): it is recognised by
    /// <see cref="ApiTokenIssuer"/>'s list instead. Regenerating issues a tagged secret.
    /// </summary>
    public bool IsUntagged { get; set; }

    /// <summary>
    /// What the token may do: <see cref="ApiPermissionCatalog"/> names separated by spaces, chosen at creation and fixed
    /// for the token's life.
    /// </summary>
    public required string Permissions { get; set; }

    /// <summary>When BeatPass revoked the token (an old secret reused, say); a revoked token never works again.</summary>
    public DateTime? RevokedAt { get; set; }

    /// <summary>Why it was revoked, in words for the holder.</summary>
    public string? RevokedReason { get; set; }

    /// <summary>Where a leak report found the secret (an http or https address), when one revoked the token.</summary>
    public string? RevokedFoundAt { get; set; }

    public const int MaxFoundAtLength = 2000;
}

/// <summary>
/// The hash of a secret a token had before it was rotated or regenerated, kept so that the secret presented again
/// gives away that someone else holds an old copy (see <see cref="ApiTokenService.RevokeIfRetiredAsync"/>).
/// </summary>
public sealed class RetiredApiTokenSecret
{
    public required byte[] TokenHash { get; set; }

    public Guid TokenId { get; set; }

    public DateTime RetiredAt { get; set; }

    /// <summary>When a leak report first named this old secret: its holder is told once, however often it is reported.</summary>
    public DateTime? ReportedAt { get; set; }
}

/// <summary>The expiry emails, in the order they go out.</summary>
public enum ExpiryNotice
{
    None,
    SevenDays,
    OneDay,
    Expired,
}
