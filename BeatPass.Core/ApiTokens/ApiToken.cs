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

    public required byte[] TokenHash { get; set; }

    /// <summary>What the owner sees of the token, e.g. <c>bpat_…x9Qa</c>.</summary>
    public required string Hint { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the current secret was issued: creation, or the last regeneration.</summary>
    public DateTime IssuedAt { get; set; }

    /// <summary>After this instant the API refuses the token; null for a token that never expires.</summary>
    public DateTime? ExpiresAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    /// <summary>The last expiry email sent for the current secret, so each goes once, even across restarts.</summary>
    public ExpiryNotice ExpiryNotice { get; set; }

    /// <summary>
    /// True for a secret issued before tokens carried a tag (see <see cref="ApiTokenFormat"/>): it is recognised by
    /// <see cref="ApiTokenIssuer"/>'s list instead. Regenerating issues a tagged secret.
    /// </summary>
    public bool IsUntagged { get; set; }
}

/// <summary>The expiry emails, in the order they go out.</summary>
public enum ExpiryNotice
{
    None,
    SevenDays,
    OneDay,
    Expired,
}
