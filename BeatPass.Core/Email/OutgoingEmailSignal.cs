using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BeatPass.Core.Email;

/// <summary>Wakes the email sender when a save that queued mail commits (not before: until then the rows are unseen).</summary>
public sealed class OutgoingEmailSignal : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _queued = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Returns when new mail may be waiting.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _wake.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Called before the sender looks at the outbox, so that mail committed meanwhile wakes it again.</summary>
    public void Clear() => _wake.Reader.TryRead(out _);

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        WakeIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        WakeIfCommitted(eventData.Context);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && _queued.Remove(context))
        {
            _wake.Writer.TryWrite(true);
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            _queued.Remove(context);
        }
    }

    private void Collect(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<OutgoingEmail>().Any(e => e.State == EntityState.Added))
        {
            _queued.AddOrUpdate(context, this);
        }
    }

    private void WakeIfCommitted(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null && _queued.Remove(context))
        {
            _wake.Writer.TryWrite(true);
        }
    }
}
