using System.Data.Common;
using System.Runtime.CompilerServices;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Invalidates <see cref="ApiTokenCache"/> for every account whose tokens or user row a
/// <see cref="BeatPassDbContext"/> changes, including Identity's own changes (such as deleting the account). It acts when
/// the change commits, not when it is saved: until then other connections still read the old rows, and a
/// lookup could cache them again. Bulk <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> bypass it; code that uses them
/// on tokens or users must call <see cref="ApiTokenCache.InvalidateUsers"/> itself.
/// </summary>
public sealed class ApiTokenCacheInvalidator(ApiTokenCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, HashSet<string>> _pending = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    // Without a transaction of the caller's, SaveChanges committed its own before this runs.
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        InvalidateIfCommitted(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        InvalidateIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => ForgetIfNoTransaction(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetIfNoTransaction(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Invalidate(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Invalidate(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        HashSet<string>? userIds = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            var userId = (entry.Entity, entry.State) switch
            {
                (ApiToken token, EntityState.Modified or EntityState.Deleted) => token.UserId,
                (BeatPassUser user, EntityState.Modified or EntityState.Deleted) => user.Id,
                _ => null,
            };
            if (userId is not null)
            {
                (userIds ??= _pending.GetOrCreateValue(context)).Add(userId);
            }
        }
    }

    private void InvalidateIfCommitted(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Invalidate(context);
        }
    }

    private void Invalidate(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out var userIds))
        {
            _pending.Remove(context);
            cache.InvalidateUsers(userIds);
        }
    }

    private void ForgetIfNoTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Forget(context);
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}
