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
    /// Applies <see cref="FailedAuthenticationLimit"/> to the requests that take an API token (<c>/api</c>,
    /// <c>/auth/check</c>; introspection counts its services' failures itself). It authenticates the request itself (the
    /// result is kept for the rest of the request), so it knows a failure before the endpoint answers.
    /// </summary>
    public static IApplicationBuilder UseFailedAuthenticationLimit(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<FailedAuthenticationLimit>();
        return app.Use(async (context, next) =>
        {
            if (!context.Request.TakesApiToken())
            {
                await next(context);
                return;
            }

            var result = await ApiTokenAuthentication.AuthenticateOnceAsync(context);
            if (result.Failure is not null && limit.RecordFailure(context.Connection.RemoteIpAddress) is { } retryAfter)
            {
                await TooManyFailuresAsync(context, retryAfter, "Wait, then try again with a valid token.");
                return;
            }

            await next(context);
        });
    }

    /// <summary>429 with <c>Retry-After</c>: the address failed authentication too often.</summary>
    public static Task TooManyFailuresAsync(HttpContext context, TimeSpan retryAfter, string whatToDo)
    {
        context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many failed attempts",
            detail: "Too many requests from your address failed authentication. " + whatToDo)
            .ExecuteAsync(context);
    }
}
