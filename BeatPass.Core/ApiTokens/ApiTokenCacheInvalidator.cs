using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Invalidates <see cref="ApiTokenCache"/> for every account whose tokens or user row a
/// <see cref="BeatPassDbContext"/> changes, including Identity's own changes (such as deleting the account), once the
/// change commits: before that, a lookup on another connection could read the old rows and cache them again. Bulk
/// <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> bypass it; code that uses them on tokens or users must call
/// <see cref="ApiTokenCache.InvalidateUsers"/> itself.
/// </summary>
public sealed class ApiTokenCacheInvalidator(ApiTokenCache cache) : AfterCommitInterceptor<string>
{
    protected override IEnumerable<string> Collect(DbContext context) =>
        from entry in context.ChangeTracker.Entries()
        where entry.State is EntityState.Modified or EntityState.Deleted
        let userId = entry.Entity switch
        {
            ApiToken token => token.UserId,
            BeatPassUser user => user.Id,
            _ => null,
        }
        where userId is not null
        select userId;

    protected override void OnCommitted(IReadOnlySet<string> committed) => cache.InvalidateUsers(committed);
}
