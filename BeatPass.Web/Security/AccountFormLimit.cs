using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Security;

/// <summary>
/// Limits how often one client address may post the forms a password guesser or a mail bomber would use:
/// sign in, register, forgot password and resend confirmation, and, in the same count, the in-app forms that send
/// email to staff (a request for developer access). ASP.NET Core's rate limiter, a fixed window per address (IPv6
/// by its /64, which one host usually holds whole). Past the limit a form post answers 429 with <c>Retry-After</c>.
/// </summary>
public static class AccountFormLimit
{
    private static readonly string[] LimitedForms =
    [
        IdentityPages.Login, IdentityPages.LoginWith2fa, IdentityPages.LoginWithRecoveryCode,
        IdentityPages.Register, IdentityPages.ForgotPassword, IdentityPages.ResendEmailConfirmation,
    ];

    public static IServiceCollection AddAccountFormLimit(this IServiceCollection services)
    {
        services.AddOptions<AccountRateLimitOptions>()
            .BindConfiguration(AccountRateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AccountFormLimiter>();
        services.AddHttpContextAccessor();
        services.AddScoped<CircuitClient>();
        services.AddScoped<CircuitHandler>(provider => provider.GetRequiredService<CircuitClient>());
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<AccountFormLimiter>((limiter, forms) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
            limiter.GlobalLimiter = forms.ForPosts(context => IsLimitedForm(context.Request));
        });
        return services;
    }

    private static bool IsLimitedForm(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && LimitedForms.Any(form => request.Path.Equals(form, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The one count per address behind <see cref="AccountFormLimit"/>, for form posts and in-app forms alike.</summary>
public sealed class AccountFormLimiter(IOptions<AccountRateLimitOptions> options) : IDisposable
{
    // The partition of requests that are not counted.
    private const string Unlimited = "";

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(partition =>
        partition == Unlimited
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.Value.PostsPerWindow,
                Window = options.Value.Window,
                QueueLimit = 0,
            }));

    /// <summary>True when <paramref name="client"/> may send one more form; otherwise how long until it may, in <paramref name="retryAfter"/>.</summary>
    public bool TryAcquire(IPAddress? client, out TimeSpan retryAfter) => TryAcquire(ClientAddresses.Partition(client), out retryAfter);

    /// <summary>The count of an account whose address is unknown (a circuit whose connection did not say).</summary>
    public static string AccountPartition(string userId) => $"account {userId}";

    /// <summary>The same for a count of its own, such as <see cref="AccountPartition"/>.</summary>
    public bool TryAcquire(string partition, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(partition.Length == 0 ? "-" : partition);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Value.Window;
        return lease.IsAcquired;
    }

    /// <summary>The limiter for the middleware: the requests <paramref name="counted"/> picks count against their address.</summary>
    internal PartitionedRateLimiter<HttpContext> ForPosts(Func<HttpContext, bool> counted) =>
        _limiter.WithTranslatedKey<HttpContext>(
            context => counted(context) ? ClientAddresses.Partition(context.Connection.RemoteIpAddress) : Unlimited, leaveOpen: true);

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// The address of the browser an interactive page's circuit serves, read from the circuit's connection when it comes
/// up (after the forwarded-headers middleware, so a known proxy's client), for the in-app forms that
/// <see cref="AccountFormLimiter"/> counts. Null outside a circuit.
/// </summary>
public sealed class CircuitClient(IHttpContextAccessor httpContextAccessor) : CircuitHandler
{
    public IPAddress? Address { get; private set; }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Address = httpContextAccessor.HttpContext?.Connection.RemoteIpAddress ?? Address;
        return Task.CompletedTask;
    }
}
