using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using BeatPass.Web.Authentication;
using Microsoft.AspNetCore.Authentication;
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

    public FailedAuthenticationLimit(IOptions<FailedAuthenticationLimitOptions> options)
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

public sealed class FailedAuthenticationLimitOptions
{
    public const string SectionName = "ApiRateLimit";

    /// <summary>Failed API authentications one address (an IPv6 /64) may make per window before its failures get 429.</summary>
    [Range(1, int.MaxValue)]
    public int FailuresPerWindow { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Failures per second this node counts per address; past it, failures are answered without counting.</summary>
    [Range(1, int.MaxValue)]
    public int GlobalFailuresPerSecond { get; set; } = 1000;
}

public static class FailedAuthenticationLimitExtensions
{
    public static IServiceCollection AddFailedAuthenticationLimit(this IServiceCollection services)
    {
        services.AddOptions<FailedAuthenticationLimitOptions>()
            .BindConfiguration(FailedAuthenticationLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<FailedAuthenticationLimit>();
        return services;
    }

    /// <summary>
    /// Applies <see cref="FailedAuthenticationLimit"/> to <c>/api</c>. It authenticates the request itself (the
    /// result is kept for the rest of the request), so it knows a failure before the endpoint answers.
    /// </summary>
    public static IApplicationBuilder UseFailedAuthenticationLimit(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<FailedAuthenticationLimit>();
        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }

            var result = await context.AuthenticateAsync(ApiTokenDefaults.AuthenticationScheme);
            if (result.Failure is not null && limit.RecordFailure(context.Connection.RemoteIpAddress) is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many failed attempts",
                    detail: "Too many requests from your address failed authentication. Wait, then try again with a valid token.")
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }
}
