using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.Audit;

/// <summary>
/// What BeatPass keeps about a person, beyond the account's own fields, for "Download" on Personal data: their API
/// tokens as the list shows them, their security log, their signed-in sessions and their requests for developer
/// access. Never a secret: no token, token hash, session key or ticket, and no staff member's identity.
/// </summary>
public sealed class PersonalDataExport(IDbContextFactory<BeatPassDbContext> dbFactory)
{
    public async Task<PersonalDataRecords> CollectAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.CreatedAt)
            .Select(t => new PersonalApiToken(t.Name, t.Description, t.Hint, t.Permissions, t.CreatedAt, t.IssuedAt, t.ExpiresAt, t.LastUsedAt, t.LastUsedFrom,
                t.LastUsedUserAgent, t.LastUsedByService, t.RevokedAt, t.RevokedReason))
            .ToListAsync(cancellationToken);
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.SubjectUserId == userId).OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .Select(e => new PersonalSecurityEvent(e.OccurredAt, e.Action.ToString(), e.TokenName, e.Detail,
                e.ActorUserId == userId ? "you" : e.ActorUserId.StartsWith(Actor.SystemPrefix) ? "BeatPass" : "BeatPass staff"))
            .ToListAsync(cancellationToken);
        var sessions = await db.UserSessions.AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.SignedInAt)
            .Select(s => new PersonalSession(s.SignedInAt, s.LastActiveAt, s.IpAddress, s.UserAgent))
            .ToListAsync(cancellationToken);
        var requests = await db.AccessRequests.AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.RequestedAt)
            .Select(r => new PersonalAccessRequest(r.Text, r.RequestedAt, r.Status.ToString(), r.DecidedAt, r.DeclineReason))
            .ToListAsync(cancellationToken);
        return new PersonalDataRecords(tokens, events, sessions, requests);
    }
}

public sealed record PersonalDataRecords(
    IReadOnlyList<PersonalApiToken> ApiTokens, IReadOnlyList<PersonalSecurityEvent> SecurityLog, IReadOnlyList<PersonalSession> Sessions,
    IReadOnlyList<PersonalAccessRequest> AccessRequests);

/// <param name="Permissions">Space-separated, as stored.</param>
/// <param name="LastUsedFrom">The last few client addresses, newest first, space-separated.</param>
public sealed record PersonalApiToken(
    string Name, string? Description, string Hint, string Permissions, DateTime CreatedAt, DateTime IssuedAt, DateTime? ExpiresAt, DateTime? LastUsedAt,
    string? LastUsedFrom, string? LastUsedUserAgent, string? LastUsedByService, DateTime? RevokedAt, string? RevokedReason);

/// <param name="By">"you", "BeatPass staff" or "BeatPass" (something BeatPass did itself, such as revoking a leaked token).</param>
public sealed record PersonalSecurityEvent(DateTime At, string Action, string? TokenName, string? Detail, string By);

public sealed record PersonalSession(DateTime SignedInAt, DateTime LastActiveAt, string? IpAddress, string? UserAgent);

public sealed record PersonalAccessRequest(string Text, DateTime RequestedAt, string Status, DateTime? DecidedAt, string? DeclineReason);
