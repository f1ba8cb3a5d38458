namespace BeatPass.Core.Email;

/// <summary>
/// A message waiting in the outbox. It is written in the same transaction as the action it tells of, so it is
/// sent exactly when that action commits, and deleted once delivered (or given up on).
/// </summary>
public sealed class OutgoingEmail
{
    public const int MaxAddressLength = 320;
    public const int MaxSubjectLength = 200;

    public long Id { get; set; }

    public required string To { get; set; }

    public required string Subject { get; set; }

    public required string Body { get; set; }

    /// <summary>True for the Identity UI's HTML messages; the security notices are plain text.</summary>
    public bool IsHtml { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>How many deliveries have been tried.</summary>
    public int Attempts { get; set; }

    /// <summary>When the next delivery may be tried; a node that takes the message moves it on by a lease.</summary>
    public DateTime NextAttemptAt { get; set; }

    public static OutgoingEmail Create(DateTime now, string to, string subject, string body, bool isHtml = false) => new()
    {
        To = to,
        Subject = subject,
        Body = body,
        IsHtml = isHtml,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}
