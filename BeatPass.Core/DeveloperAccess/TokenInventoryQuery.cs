using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>
/// The staff's token inventory (GitLab's "credentials inventory"): every token of every account, searched by account
/// or token name, filtered, sorted and paged in SQL. Staff only. Never reads a token's hash.
/// </summary>
public sealed class TokenInventoryQuery(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider, ILogger<TokenInventoryQuery> logger)
{
    public const int MaxPageSize = 100;

    /// <summary>How soon an expiry counts as "expires within 7 days".</summary>
    public static readonly TimeSpan ExpiresSoonWithin = TimeSpan.FromDays(7);

    /// <summary>How long unused counts as "not used for 90 days".</summary>
    public static readonly TimeSpan UnusedFor = TimeSpan.FromDays(90);

    public async Task<TokenInventoryPage> SearchAsync(string actorUserId, TokenInventoryRequest request, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var tokens = Filtered(db.ApiTokens.AsNoTracking(), request.Filter, now);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var normalized = request.Search.Trim().ToUpperInvariant();
            tokens = tokens.Where(t => t.NormalizedName.Contains(normalized)
                || t.User!.NormalizedEmail!.Contains(normalized) || t.User.NormalizedUserName!.Contains(normalized));
        }

        var total = await tokens.CountAsync(cancellationToken);
        var sorted = (request.SortBy, request.Descending) switch
        {
            (TokenInventorySort.LastUsed, false) => tokens.OrderBy(t => t.LastUsedAt).ThenBy(t => t.Id),
            (TokenInventorySort.LastUsed, true) => tokens.OrderByDescending(t => t.LastUsedAt).ThenByDescending(t => t.Id),
            (TokenInventorySort.Expires, false) => tokens.OrderBy(t => t.ExpiresAt).ThenBy(t => t.Id),
            (TokenInventorySort.Expires, true) => tokens.OrderByDescending(t => t.ExpiresAt).ThenByDescending(t => t.Id),
            (_, false) => tokens.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id),
            (_, true) => tokens.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id),
        };

        var pageSize = Math.Clamp(request.PageSize, 1, MaxPageSize);
        var rows = await sorted
            .Skip(Math.Max(request.Page, 0) * pageSize)
            .Take(pageSize)
            .Select(t => new
            {
                t.Id, t.UserId, t.User!.Email, t.Name, t.Hint, t.Permissions, t.CreatedAt, t.LastUsedAt, t.LastUsedFrom, t.LastUsedByService,
                t.ExpiresAt, t.RevokedAt, t.RevokedReason,
            })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new TokenInventoryItem(
            r.Id, r.UserId, r.Email ?? "", r.Name, r.Hint, r.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.CreatedAt,
            r.LastUsedAt, r.LastUsedFrom?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), r.LastUsedByService,
            r.ExpiresAt, r.RevokedAt, r.RevokedReason)).ToList();
        return new TokenInventoryPage(items, total);
    }

    private static IQueryable<ApiTokens.ApiToken> Filtered(IQueryable<ApiTokens.ApiToken> tokens, TokenInventoryFilter filter, DateTime now)
    {
        var soon = now + ExpiresSoonWithin;
        var unusedSince = now - UnusedFor;
        return filter switch
        {
            TokenInventoryFilter.ExpiresSoon => tokens.Where(t => t.ExpiresAt > now && t.ExpiresAt <= soon && t.RevokedAt == null),
            TokenInventoryFilter.Expired => tokens.Where(t => t.ExpiresAt <= now),
            TokenInventoryFilter.NeverUsed => tokens.Where(t => t.LastUsedAt == null),
            TokenInventoryFilter.NoExpiration => tokens.Where(t => t.ExpiresAt == null),
            // Used last more than 90 days ago, or never used in the 90 days since it was made.
            TokenInventoryFilter.NotUsedFor90Days => tokens.Where(t => t.LastUsedAt < unusedSince || (t.LastUsedAt == null && t.CreatedAt < unusedSince)),
            TokenInventoryFilter.Revoked => tokens.Where(t => t.RevokedAt != null),
            _ => tokens,
        };
    }
}

/// <summary>A page of the token inventory: search text (account or token name), filter, page and sort.</summary>
public sealed record TokenInventoryRequest(
    string? Search = null, TokenInventoryFilter Filter = TokenInventoryFilter.All, int Page = 0, int PageSize = 25,
    TokenInventorySort SortBy = TokenInventorySort.Created, bool Descending = true);

public enum TokenInventoryFilter
{
    All,
    ExpiresSoon,
    Expired,
    NeverUsed,
    NoExpiration,
    NotUsedFor90Days,
    Revoked,
}

public enum TokenInventorySort
{
    Created,
    LastUsed,
    Expires,
}

/// <summary>A token as the inventory lists it: whose, what it may do, and its dates. Never its secret or hash.</summary>
/// <param name="LastUsedFrom">The address of its last use, if known.</param>
/// <param name="LastUsedByService">The BeatPass service that asked about it at its last use, if one did.</param>
public sealed record TokenInventoryItem(
    Guid Id, string UserId, string Email, string Name, string Hint, IReadOnlyList<string> Permissions, DateTime CreatedAt,
    DateTime? LastUsedAt, string? LastUsedFrom, string? LastUsedByService, DateTime? ExpiresAt, DateTime? RevokedAt, string? RevokedReason);

public sealed record TokenInventoryPage(IReadOnlyList<TokenInventoryItem> Items, int TotalCount);
