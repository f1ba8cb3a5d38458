using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>The staff admin page's "Recent events": the audit log, newest first, with accounts by email. Staff only.</summary>
public sealed class AuditFeedQuery(IDbContextFactory<BeatPassDbContext> dbFactory, ILogger<AuditFeedQuery> logger)
{
    public const int MaxTake = 100;

    /// <summary>Recent audit events, optionally for one account (matched by email or user name).</summary>
    public async Task<IReadOnlyList<AuditEntry>> RecentAsync(
        string actorUserId, string? accountSearch, int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);

        var events = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(accountSearch))
        {
            var subjects = db.Users.Matching(accountSearch).Select(u => u.Id);
            events = events.Where(e => subjects.Contains(e.SubjectUserId));
        }

        return await events
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(Math.Clamp(take, 1, MaxTake))
            .Select(e => new AuditEntry(
                e.OccurredAt,
                db.Users.Where(u => u.Id == e.ActorUserId).Select(u => u.Email).FirstOrDefault() ?? e.ActorUserId,
                db.Users.Where(u => u.Id == e.SubjectUserId).Select(u => u.Email).FirstOrDefault() ?? e.SubjectUserId,
                e.Action,
                e.TokenName))
            .ToListAsync(cancellationToken);
    }
}
