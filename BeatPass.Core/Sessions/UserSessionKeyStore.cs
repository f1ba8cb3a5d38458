using System.Security.Cryptography;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.Sessions;

/// <summary>
/// Sign-in sessions as the sign-in cookie sees them: the browser holds a random key, the row holds the sign-in and
/// only the key's hash. Every read goes to the database (no cache), so a session ended on one node is refused by
/// every node on its next request. <see cref="UserSessionService"/> manages the same rows by account.
/// </summary>
public sealed class UserSessionKeyStore(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider, ILogger<UserSessionKeyStore> logger)
{
    /// <summary>Last active is written at most this often per session.</summary>
    public static readonly TimeSpan ActivityResolution = TimeSpan.FromMinutes(1);

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
            IpAddress = StoredText.Truncate(ipAddress, UserSession.MaxAddressLength),
            UserAgent = StoredText.Truncate(userAgent, UserSession.MaxUserAgentLength),
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

    /// <summary>
    /// Stores a renewed ticket of the session's own account: the cookie's sliding expiry, or a refreshed sign-in. A
    /// session ended meanwhile stays ended: it is never brought back under its old key. A session never passes to
    /// another account: a ticket of another account ends it (a new sign-in gets a new key of its own).
    /// </summary>
    public async Task RenewAsync(string key, string userId, byte[] ticket, DateTime? expiresAt, CancellationToken cancellationToken = default)
    {
        var hash = Hash(key);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var renewed = await db.UserSessions.Where(s => s.KeyHash == hash && s.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Ticket, ticket).SetProperty(x => x.ExpiresAt, expiresAt), cancellationToken);
        if (renewed == 0 && await db.UserSessions.Where(s => s.KeyHash == hash).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            logger.LogWarning("A session was renewed for user {UserId}, who does not own it; the session was ended", userId);
        }
    }

    /// <summary>Ends the session with this key: sign-out.</summary>
    public async Task EndAsync(string key, CancellationToken cancellationToken = default)
    {
        var hash = Hash(key);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.UserSessions.Where(s => s.KeyHash == hash).ExecuteDeleteAsync(cancellationToken);
    }

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;

    private static byte[] Hash(string key) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
}
