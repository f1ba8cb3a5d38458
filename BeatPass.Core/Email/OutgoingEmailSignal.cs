using System.Threading.Channels;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.Email;

/// <summary>Wakes the email sender when a save that queued mail commits (not before: until then the rows are unseen).</summary>
public sealed class OutgoingEmailSignal : AfterCommitInterceptor<OutgoingEmail>
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Returns when new mail may be waiting.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _wake.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Called before the sender looks at the outbox, so that mail committed meanwhile wakes it again.</summary>
    public void Clear() => _wake.Reader.TryRead(out _);

    protected override IEnumerable<OutgoingEmail> Collect(DbContext context) =>
        context.ChangeTracker.Entries<OutgoingEmail>().Where(e => e.State == EntityState.Added).Select(e => e.Entity);

    protected override void OnCommitted(IReadOnlySet<OutgoingEmail> committed) => _wake.Writer.TryWrite(true);
}
