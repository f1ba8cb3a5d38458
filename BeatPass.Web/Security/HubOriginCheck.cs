using Microsoft.Extensions.Options;

namespace BeatPass.Web.Security;

/// <summary>
/// Refuses a connection to the Blazor hub (<c>/_blazor</c>, its negotiation and its WebSocket) whose <c>Origin</c>
/// is another site's: a page elsewhere must not drive a circuit with the visitor's cookie. A request with several
/// <c>Origin</c> headers is refused too: no browser sends that, and which one counts would be anyone's guess.
/// </summary>
public static class HubOriginCheck
{
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/_blazor")
                && context.Request.Headers.Origin is { Count: > 0 } origins
                && (origins.Count > 1 || !IsOwnOrigin(context, origins[0]!)))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }

            return next(context);
        });

    private static bool IsOwnOrigin(HttpContext context, string origin)
    {
        var request = context.Request;
        var own = $"{request.Scheme}://{request.Host}";
        var publicUrl = context.RequestServices.GetRequiredService<IOptions<AppOptions>>().Value.PublicUrl?.GetLeftPart(UriPartial.Authority);
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            || string.Equals(origin, publicUrl, StringComparison.OrdinalIgnoreCase);
    }
}
