using BeatPass.Core.Data;

namespace BeatPass.Core.Sessions;

/// <summary>
/// One signed-in browser. The sign-in cookie holds only a random key; this row holds the sign-in itself, so deleting
/// it signs that browser out for good. Only the key's SHA-256 is stored, so a copy of the database opens no session.
/// </summary>
public sealed class UserSession
{
    public const int MaxUserAgentLength = 512;
    public const int MaxAddressLength = 45;

    /// <summary>What the Active Sessions page names the session by; not the key.</summary>
    public Guid Id { get; set; }

    public required byte[] KeyHash { get; set; }

    public required string UserId { get; set; }

    public BeatPassUser? User { get; set; }

    /// <summary>The serialized authentication ticket (who, with which claims, until when).</summary>
    public required byte[] Ticket { get; set; }

    public DateTime SignedInAt { get; set; }

    /// <summary>Written at most once a minute.</summary>
    public DateTime LastActiveAt { get; set; }

    /// <summary>When the holder last proved who they are (signing in, or the password asked again before a risky action).</summary>
    public DateTime VerifiedAt { get; set; }

    /// <summary>When the sign-in lapses unless renewed; expired rows are refused.</summary>
    public DateTime? ExpiresAt { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }
}
