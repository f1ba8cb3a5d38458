using BeatPass.Core.Data;
using BeatPass.Core.Email;

namespace BeatPass.Core.Audit;

/// <summary>
/// The one way to record a security event: an audit row and, where the holder is told, their notice. Both are added
/// to the context that makes the change, so they commit with it or not at all.
/// </summary>
public static class SecurityEvents
{
    /// <summary>Records the event in the audit log only.</summary>
    public static AuditEvent RecordSecurityEvent(
        this BeatPassDbContext db, DateTime at, Actor actor, string subjectUserId, AuditAction action, string? tokenName = null,
        string? detail = null)
    {
        var auditEvent = AuditEvent.Create(at, actor, subjectUserId, action, tokenName, detail);
        db.AuditEvents.Add(auditEvent);
        return auditEvent;
    }

    /// <summary>Records the event and queues <paramref name="notice"/> to the account's holder, when the account has an email.</summary>
    /// <param name="holderEmail">The subject account's email.</param>
    /// <param name="notice">The email that tells of it, given the address it goes to (one of <see cref="SecurityNotices"/>).</param>
    public static AuditEvent RecordSecurityEvent(
        this BeatPassDbContext db, DateTime at, Actor actor, string subjectUserId, AuditAction action, string? tokenName,
        string? holderEmail, Func<string, OutgoingEmail> notice, string? detail = null)
    {
        var auditEvent = db.RecordSecurityEvent(at, actor, subjectUserId, action, tokenName, detail);
        if (holderEmail is not null)
        {
            db.OutgoingEmails.Add(notice(holderEmail));
        }

        return auditEvent;
    }
}
