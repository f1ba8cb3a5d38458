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

    public static AuditEvent Create(DateTime occurredAt, string actorUserId, string subjectUserId, AuditAction action, string? tokenName = null) => new()
    {
        OccurredAt = occurredAt,
        ActorUserId = actorUserId,
        SubjectUserId = subjectUserId,
        Action = action,
        TokenName = tokenName,
    };
}

public enum AuditAction
{
    TokenCreated,
    TokenDeleted,
    TokenRegenerated,
    ExpiredTokenRefused,
    DeveloperAccessGranted,
    DeveloperAccessRevoked,
    PasswordChanged,
    EmailChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodesRegenerated,
    AccountDeleted,
    SignInPaused,
    NewBrowserSignIn,
}
