using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>
/// Asking for developer access in the app, and staff answering from a queue. An account without access may have one
/// pending request; after a decline it may ask again once <see cref="DevelopersOptions.RequestCooldown"/> has
/// passed. Approving grants access as the admin page's switch does, in the transaction that closes the request, and
/// the switch closes a pending request as approved. Each step is audited and emailed; staff calls re-check the Staff
/// role. Every change takes the account's lock first, so a double click, or an approval racing a decline, decides
/// once.
/// </summary>
public sealed class AccessRequests(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider,
    IOptions<DevelopersOptions> options,
    ILogger<AccessRequests> logger)
{
    public const int TextMinLength = 20;
    public const int TextMaxLength = 1000;
    public const int ReasonMaxLength = 500;

    /// <summary>Decided requests the queue shows under the pending ones, newest decision first.</summary>
    public const int DecidedShown = 50;

    /// <summary>The error to show for an answer to "What will you build?", or null when it is acceptable (once trimmed).</summary>
    public static string? ValidateText(string? text)
    {
        var clean = (text ?? "").Trim();
        return ApiTokenNameRules.CharacterProblem(clean, "Your description") ?? clean.Length switch
        {
            0 => "Describe what you will build.",
            < TextMinLength => $"Write at least {TextMinLength} characters about what you will build.",
            > TextMaxLength => $"Keep it to {TextMaxLength:N0} characters at most.",
            _ => null,
        };
    }

    /// <summary>The error to show for a decline's reason, or null when it is acceptable; a reason is optional.</summary>
    public static string? ValidateReason(string? reason)
    {
        var clean = (reason ?? "").Trim();
        return ApiTokenNameRules.CharacterProblem(clean, "The reason")
            ?? (clean.Length > ReasonMaxLength ? $"Keep the reason to {ReasonMaxLength} characters at most." : null);
    }

    /// <summary>What the holder's Developers page shows about asking for access.</summary>
    public async Task<AccessRequestState> GetStateAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hasAccess = await db.Users.AnyAsync(u => u.Id == userId && u.HasDeveloperAccess, cancellationToken);
        var latest = await LatestAsync(db, userId, cancellationToken);
        return new AccessRequestState(hasAccess, latest, AskAgainFrom(latest));
    }

    /// <summary>Sends a request for developer access: stored, audited, and emailed to the staff address.</summary>
    /// <param name="queue">The address of the staff's queue, for the email that tells them.</param>
    public async Task<AccessRequestResult> RequestAsync(string userId, string? text, string queue, CancellationToken cancellationToken = default)
    {
        if (ValidateText(text) is { } problem)
        {
            return AccessRequestResult.Failure(problem);
        }

        var clean = text!.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AccessRequestResult.Failure("Your account no longer exists.");
        }

        if (user.HasDeveloperAccess)
        {
            return AccessRequestResult.Failure("Your account already has developer access.");
        }

        var latest = await LatestAsync(db, userId, cancellationToken);
        if (latest?.Status == AccessRequestStatus.Pending)
        {
            return AccessRequestResult.Failure($"You already asked on {SecurityNotices.Time(latest.RequestedAt)}. We will answer by email.");
        }

        if (AskAgainFrom(latest) is { } askAgainFrom)
        {
            return AccessRequestResult.Failure($"Your last request was declined. You can ask again from {SecurityNotices.Time(askAgainFrom)}.");
        }

        var now = Now;
        var request = new AccessRequest { Id = Guid.CreateVersion7(), UserId = userId, Text = clean, RequestedAt = now };
        db.AccessRequests.Add(request);
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.AccessRequested);
        db.OutgoingEmails.Add(SecurityNotices.AccessRequested(now, options.Value.AccessRequestEmail, user.Email ?? user.UserName ?? userId, queue));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("User {UserId} requested developer access", userId);
        return AccessRequestResult.Success(new AccessRequestItem(
            request.Id, userId, user.Email ?? "", clean, now, AccessRequestStatus.Pending, DecidedAt: null, DecidedBy: null, DeclineReason: null));
    }

    /// <summary>
    /// The queue: the pending requests, oldest first, then the last <see cref="DecidedShown"/> decided ones. Staff only.
    /// Requests made in the same instant keep one order, by id (version 7: time-ordered to the millisecond); PostgreSQL
    /// otherwise returns such ties in any order.
    /// </summary>
    public async Task<AccessRequestQueue> ListAsync(string actorUserId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);
        var pending = await Items(db, db.AccessRequests.Where(r => r.Status == AccessRequestStatus.Pending).OrderBy(r => r.RequestedAt).ThenBy(r => r.Id))
            .ToListAsync(cancellationToken);
        var decided = await Items(db, db.AccessRequests.Where(r => r.Status != AccessRequestStatus.Pending)
            .OrderByDescending(r => r.DecidedAt).ThenByDescending(r => r.Id).Take(DecidedShown)).ToListAsync(cancellationToken);
        return new AccessRequestQueue(pending, decided);
    }

    /// <summary>Approves a pending request and grants the account developer access, in one transaction. Staff only.</summary>
    /// <param name="viaTokenName">The API token the staff member acted through; null on the admin page.</param>
    /// <exception cref="KeyNotFoundException">No such request (or its account was deleted).</exception>
    /// <exception cref="AccessRequestDecidedException">Someone decided it first.</exception>
    public Task ApproveAsync(string actorUserId, Guid requestId, string? viaTokenName = null, CancellationToken cancellationToken = default) =>
        DecideAsync(actorUserId, requestId, viaTokenName, (db, request, user, now, actor) =>
        {
            request.Status = AccessRequestStatus.Approved;
            DeveloperAccessService.Grant(db, user, now, actor, SecurityNotices.AccessRequestApproved);
            db.RecordSecurityEvent(now, actor, user.Id, AuditAction.AccessRequestApproved);
        }, cancellationToken);

    /// <summary>Declines a pending request, telling the account why if <paramref name="reason"/> says. Staff only.</summary>
    /// <exception cref="ArgumentException">The reason breaks <see cref="ValidateReason"/>.</exception>
    /// <exception cref="KeyNotFoundException">No such request (or its account was deleted).</exception>
    /// <exception cref="AccessRequestDecidedException">Someone decided it first.</exception>
    public Task DeclineAsync(
        string actorUserId, Guid requestId, string? reason, string? viaTokenName = null, CancellationToken cancellationToken = default)
    {
        if (ValidateReason(reason) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var clean = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        return DecideAsync(actorUserId, requestId, viaTokenName, (db, request, user, now, actor) =>
        {
            request.Status = AccessRequestStatus.Declined;
            request.DeclineReason = clean;
            db.RecordSecurityEvent(now, actor, user.Id, AuditAction.AccessRequestDeclined, tokenName: null, user.Email,
                to => SecurityNotices.AccessRequestDeclined(now, to, clean, now + options.Value.RequestCooldown), clean);
        }, cancellationToken);
    }

    private async Task DecideAsync(
        string actorUserId, Guid requestId, string? viaTokenName, Action<BeatPassDbContext, AccessRequest, BeatPassUser, DateTime, Actor> decide,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);
        var userId = await db.AccessRequests.Where(r => r.Id == requestId).Select(r => r.UserId).SingleOrDefaultAsync(cancellationToken)
            ?? throw new KeyNotFoundException(NoSuchRequest);

        // The account's lock, as every change of its access takes: two decisions on one request run one after the other.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var request = await db.AccessRequests.Include(r => r.User).SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken)
            ?? throw new KeyNotFoundException(NoSuchRequest);
        if (request.Status != AccessRequestStatus.Pending)
        {
            throw new AccessRequestDecidedException(request.Status);
        }

        var now = Now;
        request.DecidedAt = now;
        request.DecidedByUserId = actorUserId;
        decide(db, request, request.User!, now, Actor.Acting(actorUserId, viaTokenName));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Staff {ActorUserId} {Decision} the developer access request of user {UserId}",
            actorUserId, request.Status.ToString().ToLowerInvariant(), userId);
    }

    private const string NoSuchRequest = "That request no longer exists.";

    // After a decline, when the account may ask again; null when it may now.
    private DateTime? AskAgainFrom(AccessRequestItem? latest) =>
        latest is { Status: AccessRequestStatus.Declined, DecidedAt: { } decidedAt } && decidedAt + options.Value.RequestCooldown > Now
            ? decidedAt + options.Value.RequestCooldown
            : null;

    // The requests as listed, after their filter, order and limit.
    private static IQueryable<AccessRequestItem> Items(BeatPassDbContext db, IQueryable<AccessRequest> requests) =>
        requests.AsNoTracking().Select(r => new AccessRequestItem(r.Id, r.UserId, r.User!.Email!, r.Text, r.RequestedAt, r.Status, r.DecidedAt,
            r.DecidedByUserId == null
                ? null
                : db.Users.Where(u => u.Id == r.DecidedByUserId).Select(u => u.Email).FirstOrDefault() ?? "a deleted account",
            r.DeclineReason));

    private static Task<AccessRequestItem?> LatestAsync(BeatPassDbContext db, string userId, CancellationToken cancellationToken) =>
        Items(db, db.AccessRequests.Where(r => r.UserId == userId).OrderByDescending(r => r.RequestedAt).Take(1)).FirstOrDefaultAsync(cancellationToken);

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;
}

/// <summary>A request as the holder's page and the staff's queue show it.</summary>
/// <param name="DecidedBy">The email of the staff member who decided; "a deleted account" once theirs is gone.</param>
public sealed record AccessRequestItem(
    Guid Id, string UserId, string Email, string Text, DateTime RequestedAt, AccessRequestStatus Status, DateTime? DecidedAt,
    string? DecidedBy, string? DeclineReason);

/// <summary>Whether the account has access, its latest request, and, after a decline, when it may ask again.</summary>
public sealed record AccessRequestState(bool HasAccess, AccessRequestItem? Latest, DateTime? AskAgainFrom);

/// <summary>The staff's queue: pending requests, oldest first, and recently decided ones.</summary>
public sealed record AccessRequestQueue(IReadOnlyList<AccessRequestItem> Pending, IReadOnlyList<AccessRequestItem> Decided);

public sealed record AccessRequestResult(AccessRequestItem? Request, string? ErrorMessage)
{
    public bool Succeeded => Request is not null;

    public static AccessRequestResult Success(AccessRequestItem request) => new(request, null);

    public static AccessRequestResult Failure(string message) => new(null, message);
}

/// <summary>The request was decided before this decision: by someone else, or by a second click.</summary>
public sealed class AccessRequestDecidedException(AccessRequestStatus status)
    : Exception($"This request was already {status.ToString().ToLowerInvariant()}.")
{
    public AccessRequestStatus Status { get; } = status;
}
