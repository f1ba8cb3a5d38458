using BeatPass.Core.ApiTokens;
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

        var now = Now;
        var actor = Actor.Acting(actorUserId, viaTokenName);
        Grant(db, subject, now, actor, SecurityNotices.DeveloperAccessGranted);

        // A request the account was waiting on is answered by the grant.
        foreach (var request in await db.AccessRequests.Where(r => r.UserId == subjectUserId && r.Status == AccessRequestStatus.Pending)
                     .ToListAsync(cancellationToken))
        {
            request.Status = AccessRequestStatus.Approved;
            request.DecidedAt = now;
            request.DecidedByUserId = actorUserId;
            db.RecordSecurityEvent(now, actor, subjectUserId, AuditAction.AccessRequestApproved);
        }

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

    public const int RevokeReasonMaxLength = 400;

    /// <summary>The error to show for the reason a staff member gives when revoking a token, or null when acceptable.</summary>
    public static string? ValidateRevokeReason(string? reason)
    {
        var clean = (reason ?? "").Trim();
        return ApiTokenNameRules.CharacterProblem(clean, "The reason") ?? clean.Length switch
        {
            0 => "Give the holder a reason: it is sent to them.",
            > RevokeReasonMaxLength => $"Keep the reason to {RevokeReasonMaxLength} characters at most.",
            _ => null,
        };
    }

    /// <summary>
    /// Revokes one token of any account: it stops working at once on every node, stays listed as revoked, and its
    /// holder gets <paramref name="reason"/> by email. Audited. Staff only.
    /// </summary>
    /// <exception cref="ArgumentException">The reason breaks <see cref="ValidateRevokeReason"/>.</exception>
    /// <exception cref="KeyNotFoundException">No such token.</exception>
    /// <exception cref="InvalidOperationException">It was already revoked.</exception>
    public async Task RevokeTokenAsync(
        string actorUserId, Guid tokenId, string? reason, string? viaTokenName = null, CancellationToken cancellationToken = default)
    {
        if (ValidateRevokeReason(reason) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var clean = reason!.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);
        var userId = await db.ApiTokens.Where(t => t.Id == tokenId).Select(t => t.UserId).SingleOrDefaultAsync(cancellationToken)
            ?? throw new KeyNotFoundException(NoSuchToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var token = await db.ApiTokens.Include(t => t.User).SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken)
            ?? throw new KeyNotFoundException(NoSuchToken);
        if (token.RevokedAt is not null)
        {
            throw new InvalidOperationException("This token was already revoked.");
        }

        var now = Now;
        token.RevokedAt = now;
        token.RevokedReason = $"BeatPass staff revoked it: {clean}";
        db.RecordSecurityEvent(now, Actor.Acting(actorUserId, viaTokenName), userId, AuditAction.TokenRevoked, token.Name, token.User!.Email,
            to => SecurityNotices.TokenRevokedByStaff(now, to, token.Name, clean), $"Revoked by staff: {clean}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Staff {ActorUserId} revoked API token {TokenId} of user {UserId}", actorUserId, tokenId, userId);
    }

    private const string NoSuchToken = "That token no longer exists.";

    /// <summary>
    /// What granting access is, wherever it is done (the switch, the API, an approved request): the flag, the audit
    /// entry and the email to the holder (<paramref name="notice"/>). The caller holds the account's lock and saves.
    /// </summary>
    internal static void Grant(BeatPassDbContext db, BeatPassUser subject, DateTime now, Actor actor, Func<DateTime, string, OutgoingEmail> notice)
    {
        subject.HasDeveloperAccess = true;
        db.RecordSecurityEvent(now, actor, subject.Id, AuditAction.DeveloperAccessGranted, tokenName: null, subject.Email, to => notice(now, to));
    }

    private static async Task<BeatPassUser> FindSubjectAsync(BeatPassDbContext db, string subjectUserId, CancellationToken cancellationToken) =>
        await db.Users.SingleOrDefaultAsync(u => u.Id == subjectUserId, cancellationToken)
        ?? throw new KeyNotFoundException("That account no longer exists.");

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;
}
