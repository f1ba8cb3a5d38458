namespace BeatPass.Core.Audit;

/// <summary>Who did what to whose account, and when. Never holds a token or its hash.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTime OccurredAt { get; set; }

    public required string ActorUserId { get; set; }

    public required string SubjectUserId { get; set; }

    public AuditAction Action { get; set; }

    public string? TokenName { get; set; }
}

public enum AuditAction
{
    TokenCreated,
    TokenDeleted,
    DeveloperAccessGranted,
    DeveloperAccessRevoked,
}
