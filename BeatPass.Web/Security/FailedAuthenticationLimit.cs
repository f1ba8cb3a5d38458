using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Security;

/// <summary>
/// Slows down token guessing without ever refusing a valid token: only failed API authentications are counted and
/// refused. Each client address (an IPv6 client by its /64) may fail a few times per window; past that, its failures
/// get 429 with <c>Retry-After</c> instead of 401, while its valid tokens go on working, so one bad script behind a
/// shared NAT cannot lock out the rest. A failure takes its permit in one atomic step, so a concurrent burst gets
/// exactly the limit through. The client address is the forwarded one only from a configured proxy
/// (<see cref="ForwardedHeadersSetup"/>). Over the node's global budget of failures per second, only a sample of the
/// failures is counted (each standing for <see cref="SampleEvery"/>), so a flood from many addresses costs the node
/// little; but the heaviest senders show up in the sample in proportion to their share, reach their limit, and then
/// go into a small table of refused addresses that every failure checks first: one address cannot hide in its own
/// flood.
/// </summary>
public sealed class FailedAuthenticationLimit : IDisposable
{
    /// <summary>Over the budget, one failure in this many is counted, as this many.</summary>
    public const int SampleEvery = 16;

    /// <summary>The most addresses the refused table holds; past it, a refused address is refused only when sampled.</summary>
    private const int MaxRefusedAddresses = 1024;

    private readonly PartitionedRateLimiter<string> _failures;
    private readonly RateLimiter _budget;
    private readonly int _sampledPermits;

    // Addresses past their limit, with when (Environment.TickCount64, the limiter's own kind of clock) they may fail again.
    private readonly ConcurrentDictionary<string, long> _refusedUntil = new();

    public FailedAuthenticationLimit(IOptions<ApiRateLimitOptions> options)
    {
        var limit = options.Value;
        _failures = PartitionedRateLimiter.Create<string, string>(partition =>
            RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.FailuresPerWindow,
                Window = limit.Window,
                QueueLimit = 0,
            }));
        _budget = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.GlobalFailuresPerSecond,
            Window = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
        _sampledPermits = Math.Min(SampleEvery, limit.FailuresPerWindow);
    }

    /// <summary>
    /// Counts one failure from <paramref name="address"/>: null when it may be answered as a failure (401), otherwise
    /// how long the address must wait (429).
    /// </summary>
    public TimeSpan? RecordFailure(IPAddress? address)
    {
        var partition = ClientAddresses.Partition(address);
        var now = Environment.TickCount64;
        if (_refusedUntil.TryGetValue(partition, out var until))
        {
            if (now < until)
            {
                return TimeSpan.FromMilliseconds(until - now);
            }

            _refusedUntil.TryRemove(new KeyValuePair<string, long>(partition, until));
        }

        var permits = 1;
        using (var withinBudget = _budget.AttemptAcquire())
        {
            if (!withinBudget.IsAcquired)
            {
                if (Random.Shared.Next(SampleEvery) != 0)
                {
                    return null;
                }

                permits = _sampledPermits;
            }
        }

        using var lease = _failures.AttemptAcquire(partition, permits);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        if (_refusedUntil.Count < MaxRefusedAddresses)
        {
            _refusedUntil[partition] = now + (long)retryAfter.TotalMilliseconds;
        }

        return retryAfter;
    }

    public void Dispose()
    {
        _failures.Dispose();
        _budget.Dispose();
    }
}
