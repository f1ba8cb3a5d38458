using System.Net;
using System.Threading.RateLimiting;
using BeatPass.Web.Security;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.SecretScanning;

/// <summary>
/// How many public revocations (<c>/credentials/revoke</c> and the "Report an exposed token" page, counted together) one
/// client address may make an hour: <c>SecretScanning:PublicRevocationsPerHour</c>, the address as
/// <see cref="ClientAddresses.Partition"/> counts it (a forwarded one only from a known proxy).
/// </summary>
public sealed class PublicRevocationLimit(IOptions<SecretScanningOptions> options) : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(partition =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.PublicRevocationsPerHour,
            Window = Window,
            QueueLimit = 0,
        }));

    /// <summary>True when <paramref name="client"/> may make one more; otherwise how long until it may, in <paramref name="retryAfter"/>.</summary>
    public bool TryAcquire(IPAddress? client, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(ClientAddresses.Partition(client));
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
