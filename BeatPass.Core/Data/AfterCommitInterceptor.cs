using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BeatPass.Core.Data;

/// <summary>
/// Collects something from each save of a <see cref="DbContext"/> and acts on it once the change commits, not when
/// it is saved: until then other connections still read the old rows. A save inside the caller's transaction waits
/// for that transaction's commit; one without commits its own, so it acts right after the save. A failed save
/// outside a transaction, or a rolled-back transaction, forgets what was collected.
/// </summary>
/// <typeparam name="TItem">What a save is collected as, such as the ids of the accounts it changes.</typeparam>
public abstract class AfterCommitInterceptor<TItem> : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, HashSet<TItem>> _pending = new();

    /// <summary>What this save, about to be made, changes that matters once it commits.</summary>
    protected abstract IEnumerable<TItem> Collect(DbContext context);

    /// <summary>Acts on what the committed saves collected (never empty).</summary>
    protected abstract void OnCommitted(IReadOnlySet<TItem> committed);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        CollectFrom(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        CollectFrom(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        CommitIfNoTransaction(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        CommitIfNoTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => ForgetIfNoTransaction(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetIfNoTransaction(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Commit(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Commit(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void CollectFrom(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        HashSet<TItem>? collected = null;
        foreach (var item in Collect(context))
        {
            (collected ??= _pending.GetOrCreateValue(context)).Add(item);
        }
    }

    private void CommitIfNoTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Commit(context);
        }
    }

    private void Commit(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out var collected))
        {
            _pending.Remove(context);
            OnCommitted(collected);
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
