using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Security;

/// <summary>
/// Limits how often one client address may post the forms a password guesser or a mail bomber would use:
/// sign in, register, forgot password and resend confirmation. ASP.NET Core's rate limiter, a fixed window per
/// address (IPv6 by its /64, which one host usually holds whole). Past the limit the form answers 429 with
/// <c>Retry-After</c>.
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
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AccountRateLimitOptions>>((limiter, options) =>
        {
            var limit = options.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsLimitedForm(context.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter(ClientAddresses.Partition(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit.PostsPerWindow,
                        Window = limit.Window,
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
        });
        return services;
    }

    private static bool IsLimitedForm(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && LimitedForms.Any(form => request.Path.Equals(form, StringComparison.OrdinalIgnoreCase));
}
