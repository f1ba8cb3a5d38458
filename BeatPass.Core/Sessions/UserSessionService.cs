using System.Security.Cryptography;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.Sessions;

/// <summary>
/// Sign-in sessions kept in the database. The browser holds a random key; the row holds the sign-in. Every read goes
/// to the database (no cache), so a session ended on one node is refused by every node on its next request.
/// </summary>
public sealed class UserSessionService(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider, ILogger<UserSessionService> logger)
{
    /// <summary>Last active is written at most this often per session.</summary>
    public static readonly TimeSpan ActivityResolution = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after signing in, or confirming the password again, risky actions (creating or regenerating a token,
    /// turning off two-factor authentication, signing out other sessions) go ahead without asking again.
    /// </summary>
    public static readonly TimeSpan SudoWindow = TimeSpan.FromMinutes(10);

    /// <summary>Starts a session and returns its key, the only thing the cookie will carry.</summary>
    public async Task<string> StartAsync(
        string userId, byte[] ticket, DateTime? expiresAt, string? ipAddress, string? userAgent, CancellationToken cancellationToken = default)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var session = new UserSession
        {
            Id = Guid.CreateVersion7(now),
            KeyHash = Hash(key),
            UserId = userId,
            Ticket = ticket,
            SignedInAt = now,
            LastActiveAt = now,
            VerifiedAt = now,
            ExpiresAt = expiresAt,
            IpAddress = Truncate(ipAddress, UserSession.MaxAddressLength),
            UserAgent = Truncate(userAgent, UserSession.MaxUserAgentLength),
        };
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("User {UserId} started session {SessionId}", userId, session.Id);
        return key;
    }

    /// <summary>The session's id and ticket, or null when it was ended or has lapsed. Notes the activity, at most once a minute.</summary>
    public async Task<(Guid Id, byte[] Ticket)?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        var hash = Hash(key);
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.UserSessions.AsNoTracking()
            .Where(s => s.KeyHash == hash && (s.ExpiresAt == null || s.ExpiresAt > now))
            .Select(s => new { s.Id, s.Ticket, s.LastActiveAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (session is null)
        {
            return null;
        }

        if (now - session.LastActiveAt >= ActivityResolution)
        {
            // Conditional, so concurrent requests (or nodes) write it once.
            var seen = session.LastActiveAt;
            await db.UserSessions.Where(s => s.Id == session.Id && s.LastActiveAt == seen)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastActiveAt, now), cancellationToken);
        }

        return (session.Id, session.Ticket);
    }

    /// <summary>True while the session exists and has not lapsed: what an open tab re-checks.</summary>
    public async Task<bool> IsActiveAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserSessions.AnyAsync(s => s.Id == sessionId && (s.ExpiresAt == null || s.ExpiresAt > now), cancellationToken);
    }

    /// <summary>True when the user proved who they are in this session within the last <see cref="SudoWindow"/>.</summary>
    public async Task<bool> IsRecentlyVerifiedAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default)
    {
        var since = Now - SudoWindow;
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

    /// <summary>
    /// Stores a renewed ticket: the cookie's sliding expiry, a refreshed sign-in, or another account signing in on the
    /// same browser (the session then moves to that account, as a new sign-in). A session ended meanwhile stays ended:
    /// it is never brought back under its old key.
    /// </summary>
    public async Task RenewAsync(string key, string userId, byte[] ticket, DateTime? expiresAt, CancellationToken cancellationToken = default)
    {
        var hash = Hash(key);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var renewed = await db.UserSessions.Where(s => s.KeyHash == hash && s.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Ticket, ticket).SetProperty(x => x.ExpiresAt, expiresAt), cancellationToken);
        if (renewed == 0)
        {
            var now = Now;
            await db.UserSessions.Where(s => s.KeyHash == hash)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.UserId, userId)
                    .SetProperty(x => x.Ticket, ticket)
                    .SetProperty(x => x.ExpiresAt, expiresAt)
                    .SetProperty(x => x.SignedInAt, now)
                    .SetProperty(x => x.LastActiveAt, now)
                    .SetProperty(x => x.VerifiedAt, now), cancellationToken);
        }
    }

    /// <summary>Ends the session with this key: sign-out.</summary>
    public async Task EndAsync(string key, CancellationToken cancellationToken = default)
    {
        var hash = Hash(key);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.UserSessions.Where(s => s.KeyHash == hash).ExecuteDeleteAsync(cancellationToken);
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

    private static byte[] Hash(string key) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}

public sealed record UserSessionSummary(Guid Id, DateTime SignedInAt, DateTime LastActiveAt, string? IpAddress, string? UserAgent, bool IsCurrent);
