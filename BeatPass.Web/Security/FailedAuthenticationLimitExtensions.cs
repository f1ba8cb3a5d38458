using System.Globalization;
using BeatPass.Web.Authentication;
using Microsoft.AspNetCore.Authentication;
using BeatPass.Web.Api;

namespace BeatPass.Web.Security;

public static class FailedAuthenticationLimitExtensions
{
    public static IServiceCollection AddFailedAuthenticationLimit(this IServiceCollection services)
    {
        services.AddOptions<ApiRateLimitOptions>()
            .BindConfiguration(ApiRateLimitOptions.SectionName)
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
            if (!context.Request.IsApiRequest())
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
