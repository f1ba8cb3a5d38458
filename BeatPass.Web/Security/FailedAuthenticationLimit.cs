using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Security;

/// <summary>
/// Slows down token guessing: each client address may fail API authentication (a 401) a few times per window;
/// past that, its API requests get 429 with <c>Retry-After</c> until the window ends. Successful requests cost
/// nothing, so busy scripts with valid tokens are never limited, and other addresses are unaffected.
/// Built on the rate limiters of System.Threading.RateLimiting, partitioned by address.
/// </summary>
public sealed class FailedAuthenticationLimit : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _failures;

    public FailedAuthenticationLimit(IOptions<FailedAuthenticationLimitOptions> options)
    {
        var limit = options.Value;
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.FailuresPerWindow,
                Window = limit.Window,
                QueueLimit = 0,
            }));
    }

    /// <summary>Null while the address may still try; otherwise how long it must wait.</summary>
    public TimeSpan? Blocked(IPAddress address)
    {
        // Asking for no permits tells whether any are left without using one.
        using var lease = _failures.AttemptAcquire(address, 0);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void RecordFailure(IPAddress address) => _failures.AttemptAcquire(address).Dispose();

    public void Dispose() => _failures.Dispose();
}

public sealed class FailedAuthenticationLimitOptions
{
    public const string SectionName = "ApiRateLimit";

    /// <summary>Failed API authentications one address may make per window before it gets 429.</summary>
    [Range(1, int.MaxValue)]
    public int FailuresPerWindow { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
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

    /// <summary>Applies <see cref="FailedAuthenticationLimit"/> to <c>/api</c>. Place before authentication.</summary>
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

            var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
            if (limit.Blocked(address) is { } retryAfter)
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
            if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
            {
                limit.RecordFailure(address);
            }
        });
    }
}
