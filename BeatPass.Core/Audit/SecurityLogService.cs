using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.Audit;

/// <summary>An account's own security log: the audit events about its tokens and developer access.</summary>
public sealed class SecurityLogService(IDbContextFactory<BeatPassDbContext> dbFactory)
{
    public const int MaxPageSize = 50;

    /// <summary>One page of the user's events, newest first. Only ever events whose subject is this user.</summary>
    public async Task<SecurityLogPage> ListAsync(string userId, int page = 0, int pageSize = 10, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var events = db.AuditEvents.AsNoTracking().Where(e => e.SubjectUserId == userId);
        var total = await events.CountAsync(cancellationToken);

        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var items = await events
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip(Math.Max(page, 0) * pageSize)
            .Take(pageSize)
            .Select(e => new SecurityLogEntry(
                e.Id, e.OccurredAt, e.Action, e.TokenName, e.ActorUserId != userId && !e.ActorUserId.StartsWith(Actor.SystemPrefix),
                // Which token staff acted through is theirs to know, not the account holder's.
                e.Detail, e.ActorUserId == userId ? e.ActorTokenName : null))
            .ToListAsync(cancellationToken);
        return new SecurityLogPage(items, total);
    }
}

/// <param name="ByStaff">Done by BeatPass staff rather than the account holder or BeatPass itself.</param>
/// <param name="ViaTokenName">The holder's own API token the event was done through, when they used the API (never staff's).</param>
public sealed record SecurityLogEntry(
    long Id, DateTime OccurredAt, AuditAction Action, string? TokenName, bool ByStaff, string? Detail = null, string? ViaTokenName = null);

public sealed record SecurityLogPage(IReadOnlyList<SecurityLogEntry> Items, int TotalCount);
