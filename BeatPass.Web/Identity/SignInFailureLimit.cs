using System.Net;
using System.Threading.RateLimiting;
using BeatPass.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Identity;

/// <summary>
/// Wrong passwords on the sign-in page, counted per email and client address (an IPv6 client by its /64), and per
/// email across all addresses. Past <see cref="LockoutOptions.MaxFailedAccessAttempts"/> from one address, signing
/// in with that email from there pauses for <see cref="LockoutOptions.DefaultLockoutTimeSpan"/>; the owner, signing
/// in from anywhere else, is not kept out by a stranger who knows the address. Past ten times as many from all
/// addresses together, it pauses everywhere. Emails with no account are counted alike, so a pause tells nothing of
/// whether an account exists. Counted per node, like the API's failure limit.
/// </summary>
public sealed class SignInFailureLimit : IDisposable
{
    /// <summary>How many more failures, from all addresses together, than from one pause signing in everywhere.</summary>
    public const int AllAddressesFactor = 10;

    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perEmail;

    public SignInFailureLimit(IOptions<IdentityOptions> identity)
    {
        var lockout = identity.Value.Lockout;
        _perAddress = Limiter(lockout.MaxFailedAccessAttempts, lockout.DefaultLockoutTimeSpan);
        _perEmail = Limiter(lockout.MaxFailedAccessAttempts * AllAddressesFactor, lockout.DefaultLockoutTimeSpan);
    }

    /// <summary>True while signing in with <paramref name="email"/> from <paramref name="address"/> is paused.</summary>
    public bool IsPaused(string email, IPAddress? address) =>
        IsSpent(_perAddress, Key(email, address)) || IsSpent(_perEmail, Normalize(email));

    /// <summary>Counts one wrong password. True when it is the one that paused signing in from this address (or everywhere).</summary>
    public bool CountFailure(string email, IPAddress? address)
    {
        var pausedHere = Count(_perAddress, Key(email, address));
        var pausedEverywhere = Count(_perEmail, Normalize(email));
        return pausedHere || pausedEverywhere;
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perEmail.Dispose();
    }

    private static PartitionedRateLimiter<string> Limiter(int failures, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = failures,
            Window = window,
            QueueLimit = 0,
        }));

    /// <summary>Takes a permit; true when it was the last one of the window.</summary>
    private static bool Count(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired && IsSpent(limiter, key);
    }

    private static bool IsSpent(PartitionedRateLimiter<string> limiter, string key) =>
        limiter.GetStatistics(key) is { CurrentAvailablePermits: <= 0 };

    private static string Key(string email, IPAddress? address) => $"{ClientAddresses.Partition(address)} {Normalize(email)}";

    private static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
