using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>
/// Who may use the BeatPass API. Staff grant and revoke access; every staff-only call re-checks the
/// acting user's Staff role against the database, whatever the page did.
/// </summary>
public sealed class DeveloperAccessService(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider,
    ILogger<DeveloperAccessService> logger)
{
    public const int MaxPageSize = 100;

    public async Task<bool> HasAccessAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && u.HasDeveloperAccess, cancellationToken);
    }

    /// <summary>One page of accounts, searched, sorted and paged in SQL.</summary>
    public async Task<AccountPage> SearchAccountsAsync(string actorUserId, AccountQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await EnsureStaffAsync(db, actorUserId, cancellationToken);

        var users = Matching(db.Users.AsNoTracking(), query.Search);

        var total = await users.CountAsync(cancellationToken);

        // Two steps, fast on both databases. First the ids of the page, sorted in SQL: the token columns sort on one
        // aggregate of the tokens table, joined in only for those sorts (not a subquery per account, which PostgreSQL
        // would run for every account, skipped ones included). Then the page's rows, with their token columns, for
        // those ids only.
        var tokenStats = db.ApiTokens
            .GroupBy(t => t.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count(), LastUsedAt = g.Max(t => t.LastUsedAt) });
        var rows = query.SortBy is AccountSort.TokenCount or AccountSort.LastApiUse
            ? from u in users
              join s in tokenStats on u.Id equals s.UserId into stats
              from s in stats.DefaultIfEmpty()
              select new { u.Id, u.NormalizedEmail, u.HasDeveloperAccess, TokenCount = (int?)s.Count ?? 0, LastUsedAt = (DateTime?)s.LastUsedAt }
            : users.Select(u => new { u.Id, u.NormalizedEmail, u.HasDeveloperAccess, TokenCount = 0, LastUsedAt = (DateTime?)null });
        rows = (query.SortBy, query.Descending) switch
        {
            (AccountSort.DeveloperAccess, false) => rows.OrderBy(r => r.HasDeveloperAccess).ThenBy(r => r.NormalizedEmail),
            (AccountSort.DeveloperAccess, true) => rows.OrderByDescending(r => r.HasDeveloperAccess).ThenBy(r => r.NormalizedEmail),
            (AccountSort.TokenCount, false) => rows.OrderBy(r => r.TokenCount).ThenBy(r => r.NormalizedEmail),
            (AccountSort.TokenCount, true) => rows.OrderByDescending(r => r.TokenCount).ThenBy(r => r.NormalizedEmail),
            (AccountSort.LastApiUse, false) => rows.OrderBy(r => r.LastUsedAt).ThenBy(r => r.NormalizedEmail),
            (AccountSort.LastApiUse, true) => rows.OrderByDescending(r => r.LastUsedAt).ThenBy(r => r.NormalizedEmail),
            (_, true) => rows.OrderByDescending(r => r.NormalizedEmail),
            _ => rows.OrderBy(r => r.NormalizedEmail),
        };

        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var pageIds = await rows
            .Skip(Math.Max(query.Page, 0) * pageSize)
            .Take(pageSize)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        var summaries = await db.Users.AsNoTracking()
            .Where(u => pageIds.Contains(u.Id))
            .Select(u => new AccountSummary(
                u.Id,
                u.Email!,
                u.UserName!,
                u.HasDeveloperAccess,
                db.ApiTokens.Count(t => t.UserId == u.Id),
                db.ApiTokens.Where(t => t.UserId == u.Id).Max(t => t.LastUsedAt)))
            .ToDictionaryAsync(a => a.UserId, cancellationToken);
        var items = pageIds.Where(summaries.ContainsKey).Select(id => summaries[id]).ToList();
        return new AccountPage(items, total);
    }

    /// <summary>Turns developer access on. Granting an account that already has it changes nothing.</summary>
    public async Task GrantAsync(string actorUserId, string subjectUserId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await EnsureStaffAsync(db, actorUserId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(subjectUserId, cancellationToken);
        var subject = await FindSubjectAsync(db, subjectUserId, cancellationToken);
        if (subject.HasDeveloperAccess)
        {
            return;
        }

        subject.HasDeveloperAccess = true;
        db.AuditEvents.Add(NewEvent(actorUserId, subjectUserId, AuditAction.DeveloperAccessGranted));
        if (subject.Email is { } email)
        {
            db.OutgoingEmails.Add(SecurityNotices.DeveloperAccessGranted(Now, email));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Staff {ActorUserId} granted developer access to user {UserId}", actorUserId, subjectUserId);
    }

    /// <summary>Turns developer access off and deletes all of the account's tokens, in one transaction.</summary>
    /// <returns>How many tokens were deleted.</returns>
    public async Task<int> RevokeAsync(string actorUserId, string subjectUserId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await EnsureStaffAsync(db, actorUserId, cancellationToken);

        // One write transaction (IMMEDIATE on SQLite, the account's row locked on PostgreSQL): a token being
        // created meanwhile is either committed before, and deleted here, or refused for lack of access after.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(subjectUserId, cancellationToken);
        var subject = await FindSubjectAsync(db, subjectUserId, cancellationToken);
        if (!subject.HasDeveloperAccess)
        {
            return 0;
        }

        var tokens = await db.ApiTokens.Where(t => t.UserId == subjectUserId).ToListAsync(cancellationToken);
        db.ApiTokens.RemoveRange(tokens);
        subject.HasDeveloperAccess = false;
        db.AuditEvents.Add(NewEvent(actorUserId, subjectUserId, AuditAction.DeveloperAccessRevoked));
        db.AuditEvents.AddRange(tokens.Select(t => NewEvent(actorUserId, subjectUserId, AuditAction.TokenDeleted, t.Name)));
        if (subject.Email is { } email)
        {
            db.OutgoingEmails.Add(SecurityNotices.DeveloperAccessRevoked(Now, email, tokens.Select(t => t.Name).ToList()));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("Staff {ActorUserId} revoked developer access of user {UserId}, deleting {TokenCount} tokens",
            actorUserId, subjectUserId, tokens.Count);
        return tokens.Count;
    }

    /// <summary>Recent audit events, newest first, optionally for one account (matched by email or user name).</summary>
    public async Task<IReadOnlyList<AuditEntry>> RecentEventsAsync(
        string actorUserId, string? accountSearch, int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await EnsureStaffAsync(db, actorUserId, cancellationToken);

        var events = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(accountSearch))
        {
            var subjects = Matching(db.Users, accountSearch).Select(u => u.Id);
            events = events.Where(e => subjects.Contains(e.SubjectUserId));
        }

        return await events
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(Math.Clamp(take, 1, MaxPageSize))
            .Select(e => new AuditEntry(
                e.OccurredAt,
                db.Users.Where(u => u.Id == e.ActorUserId).Select(u => u.Email).FirstOrDefault() ?? e.ActorUserId,
                db.Users.Where(u => u.Id == e.SubjectUserId).Select(u => u.Email).FirstOrDefault() ?? e.SubjectUserId,
                e.Action,
                e.TokenName))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Accounts whose email or user name contains the search, whatever its case; all when it is blank.</summary>
    private static IQueryable<BeatPassUser> Matching(IQueryable<BeatPassUser> users, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return users;
        }

        var normalized = search.Trim().ToUpperInvariant();
        return users.Where(u => u.NormalizedEmail!.Contains(normalized) || u.NormalizedUserName!.Contains(normalized));
    }

    private static Task<bool> IsStaffAsync(BeatPassDbContext db, string userId, CancellationToken cancellationToken) =>
        db.UserRoles.AnyAsync(ur => ur.UserId == userId
            && db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == BeatPassRoles.Staff.ToUpperInvariant()), cancellationToken);

    private async Task EnsureStaffAsync(BeatPassDbContext db, string actorUserId, CancellationToken cancellationToken)
    {
        if (!await IsStaffAsync(db, actorUserId, cancellationToken))
        {
            logger.LogWarning("User {UserId} was refused a staff-only developer access operation", actorUserId);
            throw new StaffOnlyException();
        }
    }

    private static async Task<BeatPassUser> FindSubjectAsync(BeatPassDbContext db, string subjectUserId, CancellationToken cancellationToken) =>
        await db.Users.SingleOrDefaultAsync(u => u.Id == subjectUserId, cancellationToken)
        ?? throw new KeyNotFoundException("That account no longer exists.");

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;

    private AuditEvent NewEvent(string actorUserId, string subjectUserId, AuditAction action, string? tokenName = null) =>
        AuditEvent.Create(Now, actorUserId, subjectUserId, action, tokenName);
}
