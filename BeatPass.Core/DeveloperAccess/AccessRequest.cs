using BeatPass.Core.Data;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>
/// An account holder's request for developer access, and staff's answer. An account has at most one pending
/// request; a decided one stays, so staff see who decided and when, and the holder when they may ask again.
/// </summary>
public sealed class AccessRequest
{
    public Guid Id { get; set; }

    public required string UserId { get; set; }

    public BeatPassUser? User { get; set; }

    /// <summary>The holder's answer to "What will you build?", trimmed (<see cref="AccessRequests.TextMinLength"/> to <see cref="AccessRequests.TextMaxLength"/>).</summary>
    public required string Text { get; set; }

    public DateTime RequestedAt { get; set; }

    public AccessRequestStatus Status { get; set; }

    public DateTime? DecidedAt { get; set; }

    /// <summary>The staff member who decided; kept as an id, so the history stays if their account goes.</summary>
    public string? DecidedByUserId { get; set; }

    /// <summary>The reason staff gave with a decline, sent to the holder; optional.</summary>
    public string? DeclineReason { get; set; }
}

public enum AccessRequestStatus
{
    Pending,
    Approved,
    Declined,
}
