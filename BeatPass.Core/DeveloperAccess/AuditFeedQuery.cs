using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Services;
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

        return Named(await Entries(db, events, 0, Math.Clamp(take, 1, MaxTake)).ToListAsync(cancellationToken));
    }

    /// <summary>One page of the audit log (<paramref name="page"/> from 0), optionally about one account only, and how many events match.</summary>
    public async Task<AuditPage> PageAsync(
        string actorUserId, string? subjectUserId, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);

        var events = db.AuditEvents.AsNoTracking();
        if (subjectUserId is not null)
        {
            events = events.Where(e => e.SubjectUserId == subjectUserId);
        }

        var total = await events.CountAsync(cancellationToken);
        pageSize = Math.Clamp(pageSize, 1, MaxTake);
        var items = Named(await Entries(db, events, Math.Max(page, 0) * pageSize, pageSize).ToListAsync(cancellationToken));
        return new AuditPage(items, total);
    }

    // BeatPass itself acting (a leak report, the sign-in limit) in words rather than its stored id; a service by its name.
    private static List<AuditEntry> Named(List<AuditEntry> entries) => entries.ConvertAll(e => e with
    {
        Actor = Actor.Describe(e.Actor),
        Subject = e.Subject.StartsWith(ServiceClients.AuditSubjectPrefix, StringComparison.Ordinal)
            ? "Service " + e.Subject[ServiceClients.AuditSubjectPrefix.Length..]
            : e.Subject,
    });

    private static IQueryable<AuditEntry> Entries(BeatPassDbContext db, IQueryable<AuditEvent> events, int skip, int take) => events
        .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
        .Skip(skip)
        .Take(take)
        .Select(e => new AuditEntry(
            e.OccurredAt,
            db.Users.Where(u => u.Id == e.ActorUserId).Select(u => u.Email).FirstOrDefault() ?? e.ActorUserId,
            db.Users.Where(u => u.Id == e.SubjectUserId).Select(u => u.Email).FirstOrDefault() ?? e.SubjectUserId,
            e.Action,
            e.TokenName,
            e.Detail,
            e.ActorTokenName));
}
