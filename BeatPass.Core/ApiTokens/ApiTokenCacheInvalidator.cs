using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Invalidates <see cref="ApiTokenCache"/> for every account whose tokens, user row or roles a
/// <see cref="BeatPassDbContext"/> changes, including Identity's own changes (such as deleting the account, or taking
/// the Staff role away, which ends the tokens' staff-only permissions), once the
/// change commits: before that, a lookup on another connection could read the old rows and cache them again. Bulk
/// <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> bypass it; code that uses them on tokens or users must call
/// <see cref="ApiTokenCache.InvalidateUsers"/> itself.
/// </summary>
public sealed class ApiTokenCacheInvalidator(ApiTokenCache cache) : AfterCommitInterceptor<string>
{
    protected override IEnumerable<string> Collect(DbContext context) =>
        from entry in context.ChangeTracker.Entries()
        where entry.State is EntityState.Modified or EntityState.Deleted
            || (entry.State is EntityState.Added && entry.Entity is IdentityUserRole<string>)
        let userId = entry.Entity switch
        {
            ApiToken token => token.UserId,
            BeatPassUser user => user.Id,
            IdentityUserRole<string> role => role.UserId,
            _ => null,
        }
        where userId is not null
        select userId;

    protected override void OnCommitted(IReadOnlySet<string> committed) => cache.InvalidateUsers(committed);
}
