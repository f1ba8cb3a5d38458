using System.Linq.Expressions;
using BeatPass.Core.ApiTokens;
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

    // How many pages must match before pages are read by walking the sort's index: a token read through an index
    // costs several read in one pass.
    private const int WalkFactor = 8;

    public async Task<TokenInventoryPage> SearchAsync(string actorUserId, TokenInventoryRequest request, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var tokens = Filtered(db.ApiTokens.AsNoTracking(), request.Filter, now);
        var narrowed = request.Filter != TokenInventoryFilter.All || !string.IsNullOrWhiteSpace(request.Search);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            // The matching accounts are found once (a subquery), not joined and matched again for every token.
            var normalized = request.Search.Trim().ToUpperInvariant();
            var accounts = db.Users.Matching(request.Search).Select(u => u.Id);
            tokens = tokens.Where(t => t.NormalizedName.Contains(normalized) || accounts.Contains(t.UserId));
        }

        var total = await tokens.CountAsync(cancellationToken);
        var pageSize = Math.Clamp(request.PageSize, 1, MaxPageSize);
        var skip = Math.Max(request.Page, 0) * pageSize;

        // Two ways to a page. Walking the sort's index, the database reads tokens in order until the page is full:
        // quick when many match, but to find the four tokens of one account it reads all 200,000. So when few match
        // (a search or filter matching fewer than WalkFactor pages), the sort key is put through a no-op (adding zero
        // days) that no index serves, and the database sorts just the matches instead (bench/admin-grid.sh: one
        // account's tokens in 171 ms instead of 1.4 s on SQLite). Chosen by the count alone, so every page of one
        // result is sorted the same way.
        var sortMatches = narrowed && total <= WalkFactor * pageSize;
        Expression<Func<ApiTokens.ApiToken, DateTime?>> key = (request.SortBy, sortMatches) switch
        {
            (TokenInventorySort.LastUsed, false) => t => t.LastUsedAt,
            (TokenInventorySort.LastUsed, true) => t => t.LastUsedAt!.Value.AddDays(0),
            (TokenInventorySort.Expires, false) => t => t.ExpiresAt,
            (TokenInventorySort.Expires, true) => t => t.ExpiresAt!.Value.AddDays(0),
            (_, false) => t => t.CreatedAt,
            (_, true) => t => t.CreatedAt.AddDays(0),
        };
        // "Never" sorts as the oldest use and the latest expiry, the same on both databases (SQLite puts nulls first,
        // PostgreSQL last). Created is never null, and its page walks its index only when ordered by it alone.
        Expression<Func<ApiTokens.ApiToken, bool>>? never = request.SortBy switch
        {
            TokenInventorySort.LastUsed => t => t.LastUsedAt != null,
            TokenInventorySort.Expires => t => t.ExpiresAt == null,
            _ => null,
        };
        var sorted = (never, request.Descending) switch
        {
            (null, true) => tokens.OrderByDescending(key).ThenByDescending(t => t.Id),
            (null, false) => tokens.OrderBy(key).ThenBy(t => t.Id),
            (_, true) => tokens.OrderByDescending(never).ThenByDescending(key).ThenByDescending(t => t.Id),
            (_, false) => tokens.OrderBy(never).ThenBy(key).ThenBy(t => t.Id),
        };

        var rows = await sorted
            .Skip(skip)
            .Take(pageSize)
            .Select(t => new
            {
                t.Id, t.UserId, t.User!.Email, t.Name, t.Hint, t.Permissions, t.CreatedAt, t.LastUsedAt, t.LastUsedFrom, t.LastUsedByService,
                t.ExpiresAt, t.RevokedAt, t.RevokedReason,
            })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new TokenInventoryItem(
            r.Id, r.UserId, r.Email ?? "", r.Name, r.Hint, r.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.CreatedAt,
            r.LastUsedAt, ApiTokenUses.StoredAddresses(r.LastUsedFrom).FirstOrDefault(), r.LastUsedByService,
            r.ExpiresAt, r.RevokedAt, r.RevokedReason)).ToList();
        return new TokenInventoryPage(items, total);
    }

    // Stands in for "never expires" where a filter compares expiry times.
    private static readonly DateTime Never = new(9999, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The filter's tokens. The broad ones compare through COALESCE, which no index serves: a database that used the
    /// expiry index to find 90,000 expired tokens would then sort them all for the page, where walking the sort's own
    /// index finds the page's 25 at once (bench/admin-grid.sh: 216 ms against a few on SQLite).
    /// </summary>
    private static IQueryable<ApiTokens.ApiToken> Filtered(IQueryable<ApiTokens.ApiToken> tokens, TokenInventoryFilter filter, DateTime now)
    {
        var soon = now + ExpiresSoonWithin;
        var unusedSince = now - UnusedFor;
        return filter switch
        {
            TokenInventoryFilter.ExpiresSoon => tokens.Where(t => (t.ExpiresAt ?? Never) > now && (t.ExpiresAt ?? Never) <= soon && t.RevokedAt == null),
            TokenInventoryFilter.Expired => tokens.Where(t => (t.ExpiresAt ?? Never) <= now),
            // These three list tokens that still work: what staff look through for ones to revoke.
            TokenInventoryFilter.NeverUsed => tokens.Where(t => t.LastUsedAt == null && (t.ExpiresAt ?? Never) > now && t.RevokedAt == null),
            TokenInventoryFilter.NoExpiration => tokens.Where(t => t.ExpiresAt == null && t.RevokedAt == null),
            // Used last more than 90 days ago, or never used in the 90 days since it was made.
            TokenInventoryFilter.NotUsedFor90Days => tokens.Where(t => (t.LastUsedAt ?? t.CreatedAt) < unusedSince && (t.ExpiresAt ?? Never) > now
                && t.RevokedAt == null),
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
