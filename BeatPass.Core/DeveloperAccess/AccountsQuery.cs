using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>The staff admin page's account list: one page of accounts, searched, sorted and paged in SQL. Staff only.</summary>
public sealed class AccountsQuery(IDbContextFactory<BeatPassDbContext> dbFactory, ILogger<AccountsQuery> logger)
{
    public const int MaxPageSize = 100;

    public async Task<AccountPage> SearchAsync(string actorUserId, AccountQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, actorUserId, logger, cancellationToken);

        var users = db.Users.AsNoTracking().Matching(query.Search);

        var total = await users.CountAsync(cancellationToken);

        // Two steps, fast on both databases. First the ids of the page, sorted in SQL: the token columns sort on one
        // aggregate of the tokens table, joined in only for those sorts (not a subquery per account, which PostgreSQL
        // would run for every account, skipped ones included). Then the page's rows, with their token columns, for
        // those ids only.
        var tokenStats = db.ApiTokens
            .GroupBy(t => t.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count(), LastUsedAt = g.Max(t => t.LastUsedAt) });
        var rows = query.SortBy is AccountSort.TokenCount or AccountSort.LastApiUse
            ? from u in users
              join s in tokenStats on u.Id equals s.UserId into stats
              from s in stats.DefaultIfEmpty()
              select new { u.Id, u.NormalizedEmail, u.HasDeveloperAccess, TokenCount = (int?)s.Count ?? 0, LastUsedAt = (DateTime?)s.LastUsedAt }
            : users.Select(u => new { u.Id, u.NormalizedEmail, u.HasDeveloperAccess, TokenCount = 0, LastUsedAt = (DateTime?)null });
        rows = (query.SortBy, query.Descending) switch
        {
            (AccountSort.DeveloperAccess, false) => rows.OrderBy(r => r.HasDeveloperAccess).ThenBy(r => r.NormalizedEmail),
            (AccountSort.DeveloperAccess, true) => rows.OrderByDescending(r => r.HasDeveloperAccess).ThenBy(r => r.NormalizedEmail),
            (AccountSort.TokenCount, false) => rows.OrderBy(r => r.TokenCount).ThenBy(r => r.NormalizedEmail),
            (AccountSort.TokenCount, true) => rows.OrderByDescending(r => r.TokenCount).ThenBy(r => r.NormalizedEmail),
            // "Never" as the oldest use on both databases (SQLite sorts nulls first, PostgreSQL last).
            (AccountSort.LastApiUse, false) => rows.OrderBy(r => r.LastUsedAt != null).ThenBy(r => r.LastUsedAt).ThenBy(r => r.NormalizedEmail),
            (AccountSort.LastApiUse, true) => rows.OrderByDescending(r => r.LastUsedAt != null).ThenByDescending(r => r.LastUsedAt).ThenBy(r => r.NormalizedEmail),
            (_, true) => rows.OrderByDescending(r => r.NormalizedEmail),
            _ => rows.OrderBy(r => r.NormalizedEmail),
        };

        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var pageIds = await rows
            .Skip(Math.Max(query.Page, 0) * pageSize)
            .Take(pageSize)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        var summaries = await db.Users.AsNoTracking()
            .Where(u => pageIds.Contains(u.Id))
            .Select(u => new AccountSummary(
                u.Id,
                u.Email!,
                u.UserName!,
                u.HasDeveloperAccess,
                db.ApiTokens.Count(t => t.UserId == u.Id),
                db.ApiTokens.Where(t => t.UserId == u.Id).Max(t => t.LastUsedAt)))
            .ToDictionaryAsync(a => a.UserId, cancellationToken);
        var items = pageIds.Where(summaries.ContainsKey).Select(id => summaries[id]).ToList();
        return new AccountPage(items, total);
    }
}
