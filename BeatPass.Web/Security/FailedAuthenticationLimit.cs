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
/// (<see cref="ForwardedHeadersSetup"/>). Over the node's global budget of failures per second, failures skip the
/// per-address bookkeeping altogether and are answered 401 at once: a flood from many addresses costs the node as
/// little as it can and leaves valid requests alone.
/// </summary>
public sealed class FailedAuthenticationLimit : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly RateLimiter _budget;

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
    }

    /// <summary>
    /// Counts one failure from <paramref name="address"/>: null when it may be answered as a failure (401), otherwise
    /// how long the address must wait (429).
    /// </summary>
    public TimeSpan? RecordFailure(IPAddress? address)
    {
        using (var withinBudget = _budget.AttemptAcquire())
        {
            if (!withinBudget.IsAcquired)
            {
                return null;
            }
        }

        using var lease = _failures.AttemptAcquire(ClientAddresses.Partition(address));
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose()
    {
        _failures.Dispose();
        _budget.Dispose();
    }
}
