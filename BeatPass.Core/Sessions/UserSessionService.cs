using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.Sessions;

/// <summary>
/// An account's sign-in sessions, by the ids Active Sessions shows: list them, end them, and what an open tab and
/// "Confirm access" check. <see cref="UserSessionKeyStore"/> is the same rows as the sign-in cookie sees them, by key.
/// Every read goes to the database (no cache), so a session ended on one node is refused by every node on its next request.
/// </summary>
public sealed class UserSessionService(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider, ILogger<UserSessionService> logger)
{
    /// <summary>True while the session exists and has not lapsed: what an open tab re-checks.</summary>
    public async Task<bool> IsActiveAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserSessions.AnyAsync(s => s.Id == sessionId && (s.ExpiresAt == null || s.ExpiresAt > now), cancellationToken);
    }

    /// <summary>True when the user proved who they are in this session at or after <paramref name="since"/>.</summary>
    public async Task<bool> IsVerifiedSinceAsync(string userId, Guid sessionId, DateTime since, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserSessions.AnyAsync(s => s.Id == sessionId && s.UserId == userId && s.VerifiedAt >= since, cancellationToken);
    }

    /// <summary>Records that the user just proved who they are (their password or a code, checked by the caller).</summary>
    public async Task MarkVerifiedAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.UserSessions.Where(s => s.Id == sessionId && s.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.VerifiedAt, now), cancellationToken);
    }

    /// <summary>The user's sessions: <paramref name="currentSessionId"/>'s first and marked, then the most recently active.</summary>
    public async Task<IReadOnlyList<UserSessionSummary>> ListAsync(string userId, Guid? currentSessionId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sessions = await db.UserSessions.AsNoTracking()
            .Where(s => s.UserId == userId && (s.ExpiresAt == null || s.ExpiresAt > now))
            .OrderByDescending(s => s.Id == currentSessionId).ThenByDescending(s => s.LastActiveAt)
            .Select(s => new UserSessionSummary(s.Id, s.SignedInAt, s.LastActiveAt, s.IpAddress, s.UserAgent, s.Id == currentSessionId))
            .ToListAsync(cancellationToken);
        return sessions;
    }

    /// <summary>Ends one of the user's own sessions, by the id the page shows. False when the user has no such session.</summary>
    public async Task<bool> EndAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ended = await db.UserSessions.Where(s => s.Id == sessionId && s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (ended > 0)
        {
            logger.LogInformation("User {UserId} ended session {SessionId}", userId, sessionId);
        }

        return ended > 0;
    }

    /// <summary>Ends every session of the user but <paramref name="currentSessionId"/>. Returns how many ended.</summary>
    public async Task<int> EndOthersAsync(string userId, Guid currentSessionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ended = await db.UserSessions.Where(s => s.UserId == userId && s.Id != currentSessionId).ExecuteDeleteAsync(cancellationToken);
        logger.LogInformation("User {UserId} ended {Count} other sessions", userId, ended);
        return ended;
    }

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;

}

public sealed record UserSessionSummary(Guid Id, DateTime SignedInAt, DateTime LastActiveAt, string? IpAddress, string? UserAgent, bool IsCurrent);
