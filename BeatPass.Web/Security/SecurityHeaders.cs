using System.Security.Cryptography;
using BeatPass.Web.Api;

namespace BeatPass.Web.Security;

/// <summary>
/// Headers every response carries: no MIME sniffing, no referrer beyond the origin, never framed, and a
/// Content-Security-Policy that lets only this origin's scripts run (plus inline scripts carrying the
/// response's nonce, such as Blazor's import map and the API reference's configuration). No
/// <c>unsafe-eval</c>. Styles may be inline: MudBlazor sets its theme and layout through style elements and
/// attributes. API responses get a policy that allows nothing at all.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceItem = "BeatPass.CspNonce";

    /// <summary>The nonce inline scripts of this response must carry.</summary>
    public static string CspNonce(this HttpContext context) => (string)context.Items[NonceItem]!;

    // API responses are JSON, never a document: nothing in them may load or run, and they need no nonce.
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers.XFrameOptions = "DENY";
            if (context.Request.IsApiRequest())
            {
                headers.ContentSecurityPolicy = ApiPolicy;
                return next(context);
            }

            // Hex rather than base64: '+' and '/' would be HTML-encoded in the attributes that carry it.
            var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceItem] = nonce;
            headers.ContentSecurityPolicy =
                "default-src 'self'; " +
                $"script-src 'self' 'nonce-{nonce}'; " +
                "style-src 'self' 'unsafe-inline'; " +
                "img-src 'self' data:; " +
                "font-src 'self'; " +
                "connect-src 'self'; " +
                "worker-src 'self' blob:; " +
                "object-src 'none'; " +
                "base-uri 'self'; " +
                "form-action 'self'; " +
                "frame-ancestors 'none'";
            return next(context);
        });

    /// <summary>Every <c>/api</c> response, errors included, must not be cached by browsers or proxies.</summary>
    public static IApplicationBuilder UseApiNoStore(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.IsApiRequest())
            {
                context.Response.Headers.CacheControl = "no-store";
            }

            return next(context);
        });
}
