using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>
/// Who may use the BeatPass API: the holder's access check, and staff granting and revoking it. Every staff-only
/// call re-checks the acting user's Staff role against the database, whatever the page did. The staff page's
/// queries are <see cref="AccountsQuery"/> and <see cref="AuditFeedQuery"/>.
/// </summary>
public sealed class DeveloperAccessService(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider,
    ILogger<DeveloperAccessService> logger)
{
    public async Task<bool> HasAccessAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && u.HasDeveloperAccess, cancellationToken);
    }

    /// <summary>Turns developer access on. Granting an account that already has it changes nothing.</summary>
    /// <param name="viaTokenName">The API token the staff member acted through; null on the admin page.</param>
    public async Task GrantAsync(string actorUserId, string subjectUserId, string? viaTokenName = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(subjectUserId, cancellationToken);
        var subject = await FindSubjectAsync(db, subjectUserId, cancellationToken);
        if (subject.HasDeveloperAccess)
        {
            return;
        }

        subject.HasDeveloperAccess = true;
        var now = Now;
        db.RecordSecurityEvent(now, Actor.Acting(actorUserId, viaTokenName), subjectUserId, AuditAction.DeveloperAccessGranted, tokenName: null,
            subject.Email, to => SecurityNotices.DeveloperAccessGranted(now, to));

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Staff {ActorUserId} granted developer access to user {UserId}", actorUserId, subjectUserId);
    }

    /// <summary>Turns developer access off and deletes all of the account's tokens, in one transaction.</summary>
    /// <param name="viaTokenName">The API token the staff member acted through; null on the admin page.</param>
    /// <returns>How many tokens were deleted.</returns>
    public async Task<int> RevokeAsync(string actorUserId, string subjectUserId, string? viaTokenName = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);

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
        var now = Now;
        var actor = Actor.Acting(actorUserId, viaTokenName);
        var tokenNames = tokens.Select(t => t.Name).ToList();
        db.RecordSecurityEvent(now, actor, subjectUserId, AuditAction.DeveloperAccessRevoked, tokenName: null,
            subject.Email, to => SecurityNotices.DeveloperAccessRevoked(now, to, tokenNames));
        foreach (var tokenName in tokenNames)
        {
            db.RecordSecurityEvent(now, actor, subjectUserId, AuditAction.TokenDeleted, tokenName);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("Staff {ActorUserId} revoked developer access of user {UserId}, deleting {TokenCount} tokens",
            actorUserId, subjectUserId, tokens.Count);
        return tokens.Count;
    }

    private static async Task<BeatPassUser> FindSubjectAsync(BeatPassDbContext db, string subjectUserId, CancellationToken cancellationToken) =>
        await db.Users.SingleOrDefaultAsync(u => u.Id == subjectUserId, cancellationToken)
        ?? throw new KeyNotFoundException("That account no longer exists.");

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;
}
