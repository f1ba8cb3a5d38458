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

    /// <summary>The name of the API token the actor acted through, when they used the API rather than a page.</summary>
    public string? ActorTokenName { get; set; }

    /// <summary>More about the event in words, such as a new token's permissions or why a token was revoked.</summary>
    public string? Detail { get; set; }

    public const int MaxDetailLength = 500;

    public static AuditEvent Create(
        DateTime occurredAt, Actor actor, string subjectUserId, AuditAction action, string? tokenName = null, string? detail = null) => new()
    {
        OccurredAt = occurredAt,
        ActorUserId = actor.Id,
        ActorTokenName = actor.TokenName,
        SubjectUserId = subjectUserId,
        Action = action,
        TokenName = tokenName,
        Detail = detail is { Length: > MaxDetailLength } ? detail[..(MaxDetailLength - 1)] + "…" : detail,
    };
}

public enum AuditAction
{
    TokenCreated,
    TokenDeleted,
    TokenRegenerated,
    ExpiredTokenRefused,
    TokenRotated,
    TokenRevoked,
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
    OldSecretReported,
    ServiceAdded,
    ServiceRevoked,
    AccessRequested,
    AccessRequestApproved,
    AccessRequestDeclined,
    TokenRenamed,
    TokenDescribed,
}
