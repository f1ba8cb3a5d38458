using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.Email;

/// <summary>
/// The queue of email to send. Services add <see cref="OutgoingEmail"/> rows in their own transactions;
/// <see cref="OutgoingEmailSignal"/> wakes the sender when such a transaction commits.
/// </summary>
public sealed class EmailOutbox(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider)
{
    /// <summary>Queues one message on its own (for mail that goes with no other change, such as a reset link).</summary>
    public async Task EnqueueAsync(string to, string subject, string body, bool isHtml, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.OutgoingEmails.Add(OutgoingEmail.Create(timeProvider.GetUtcNow().UtcDateTime, to, subject, body, isHtml));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> messages that are due, counting an attempt on each and hiding it from other
    /// senders for <paramref name="lease"/>: a sender that dies mid-delivery leaves the message to be tried again then.
    /// </summary>
    public async Task<IReadOnlyList<OutgoingEmail>> TakeDueAsync(TimeSpan lease, int max, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.OutgoingEmails.AsNoTracking()
            .Where(e => e.NextAttemptAt <= now)
            .OrderBy(e => e.Id)
            .Take(max)
            .ToListAsync(cancellationToken);

        var taken = new List<OutgoingEmail>(due.Count);
        foreach (var email in due)
        {
            // Conditional on the time it was seen with, so two senders never take the same message.
            var claimed = await db.OutgoingEmails
                .Where(e => e.Id == email.Id && e.NextAttemptAt == email.NextAttemptAt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(e => e.NextAttemptAt, now + lease)
                    .SetProperty(e => e.Attempts, e => e.Attempts + 1), cancellationToken);
            if (claimed == 1)
            {
                email.Attempts++;
                taken.Add(email);
            }
        }

        return taken;
    }

    /// <summary>How many messages wait in the outbox, due or not (every node's).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutgoingEmails.CountAsync(cancellationToken);
    }

    /// <summary>Removes a message that was delivered, or given up on.</summary>
    public async Task RemoveAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.OutgoingEmails.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Leaves a message whose delivery failed to be tried again after <paramref name="delay"/>.</summary>
    public async Task RetryLaterAsync(long id, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var at = timeProvider.GetUtcNow().UtcDateTime + delay;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.OutgoingEmails.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.NextAttemptAt, at), cancellationToken);
    }

    /// <summary>When the earliest waiting message is due; null when the outbox is empty.</summary>
    public async Task<DateTime?> NextDueAtAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutgoingEmails.MinAsync(e => (DateTime?)e.NextAttemptAt, cancellationToken);
    }
}
