using System.Text;
using System.Text.Json.Serialization;
using BeatPass.Core;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Services;
using BeatPass.Web.Authentication;
using BeatPass.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;

namespace BeatPass.Web.Api;

/// <summary>
/// How the rest of BeatPass checks a token: services ask by introspection (RFC 7662), signing in as a registered
/// service; gateways forward the client's <c>Authorization</c> header to the check. Both use the API's own cache, so a
/// deleted, rotated or revoked token is refused by both on the next request, on every node.
/// </summary>
public static class TokenCheckEndpoints
{
    /// <summary>Optional on the check: the permission the gateway's route needs.</summary>
    public const string RequiredPermissionHeader = "X-Required-Permission";

    public const string UserIdHeader = "X-BeatPass-User-Id";
    public const string TokenIdHeader = "X-BeatPass-Token-Id";

    /// <summary>An introspection request's body: a 43-character token and a hint fit many times over.</summary>
    public const int MaxIntrospectionBody = 4096;

    private const string BasicChallenge = "Basic realm=\"BeatPass token introspection\", charset=\"UTF-8\"";

    private static readonly byte[] Inactive = """{"active":false}"""u8.ToArray();

    public static IEndpointRouteBuilder MapTokenChecks(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRequests.IntrospectionPath, IntrospectAsync).DisableAntiforgery().ExcludeFromDescription();
        app.MapMethods(ApiRequests.CheckPath, [HttpMethods.Get, HttpMethods.Head], CheckAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// <c>POST /oauth/introspect</c>: the service in HTTP Basic, the token in the form field <c>token</c>. A working
    /// token's account, id and permissions; for anything else exactly <c>{"active":false}</c>, never why.
    /// </summary>
    private static async Task IntrospectAsync(
        HttpContext context, ServiceClients services, ApiTokenAuthenticator tokens, FailedAuthenticationLimit limit, BeatPassMetrics metrics)
    {
        var request = context.Request;
        context.Response.Headers.Pragma = "no-cache";
        // A secret in the address ends up in logs and histories: refused before anything is read.
        if (request.QueryString.HasValue)
        {
            metrics.Introspected("bad_request");
            await InvalidRequestAsync(context, "Send the service's credentials in the Authorization header (HTTP Basic) and the token " +
                "in the form body, never in the address.");
            return;
        }

        var service = TryReadBasic(request, out var clientId, out var secret)
            ? await services.AuthenticateAsync(clientId, secret, context.RequestAborted)
            : null;
        if (service is null)
        {
            metrics.Introspected("unauthorized");
            if (limit.RecordFailure(context.Connection.RemoteIpAddress) is { } retryAfter)
            {
                await FailedAuthenticationLimitExtensions.TooManyFailuresAsync(context, retryAfter,
                    "Wait, then try again with the service's client id and secret.");
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = BasicChallenge;
            await context.Response.WriteAsJsonAsync(new OAuthError("invalid_client",
                "Sign in as a registered BeatPass service: HTTP Basic with its client id and secret."), TokenCheckJson.Default.OAuthError);
            return;
        }

        if (!request.HasFormContentType)
        {
            metrics.Introspected("bad_request");
            await InvalidRequestAsync(context, "Send the token as a form field: Content-Type application/x-www-form-urlencoded, body token=<token>.");
            return;
        }

        if (request.ContentLength > MaxIntrospectionBody)
        {
            metrics.Introspected("bad_request");
            await InvalidRequestAsync(context, $"The request body is over {MaxIntrospectionBody} bytes; a BeatPass token is 43 characters.");
            return;
        }

        IFormCollection form;
        try
        {
            // A body without a length (chunked) is held to the same bound while it is read.
            form = await request.ReadFormAsync(new FormOptions { BufferBodyLengthLimit = MaxIntrospectionBody, ValueLengthLimit = MaxIntrospectionBody },
                context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            metrics.Introspected("bad_request");
            await InvalidRequestAsync(context, $"The request body is over {MaxIntrospectionBody} bytes or is not a valid form.");
            return;
        }

        if (form["token"] is not [{ Length: > 0 } token])
        {
            metrics.Introspected("bad_request");
            await InvalidRequestAsync(context, form["token"].Count > 1 ? "Send one token field, not several." : "The form has no token field: token=<token>.");
            return;
        }

        var check = await tokens.AuthenticateAsync(token, new ApiCaller(null, null, service.Name), context.RequestAborted);
        context.Response.ContentType = "application/json";
        if (check.Succeeded)
        {
            metrics.Introspected("active");
            var identity = check.Identity;
            await context.Response.WriteAsJsonAsync(new IntrospectionResponse(
                Active: true,
                Scope: identity.Permissions,
                Sub: identity.UserId,
                Username: identity.UserName,
                TokenId: identity.TokenId,
                Iat: ToUnixSeconds(identity.IssuedAt),
                Exp: identity.ExpiresAt is { } expiresAt ? ToUnixSeconds(expiresAt) : null), TokenCheckJson.Default.IntrospectionResponse);
            return;
        }

        metrics.Introspected("inactive");
        await context.Response.Body.WriteAsync(Inactive, context.RequestAborted);
    }

    /// <summary>
    /// <c>GET /auth/check</c>: 204 with who the token belongs to when it works and holds
    /// <see cref="RequiredPermissionHeader"/> (if given); otherwise the API's 401 or 403.
    /// </summary>
    private static async Task CheckAsync(HttpContext context, BeatPassMetrics metrics, IProblemDetailsService problemDetails)
    {
        string? required = context.Request.Headers[RequiredPermissionHeader];
        if (required is not null && !ApiPermissionCatalog.NamePattern().IsMatch(required))
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                detail: $"{RequiredPermissionHeader} must be one permission name, such as library:read.").ExecuteAsync(context);
            return;
        }

        // Authenticated already by the failed-authentication limit, which kept the result; the handler counted any refusal.
        var result = await ApiTokenAuthentication.AuthenticateOnceAsync(context);
        if (!result.Succeeded)
        {
            await context.ChallengeAsync(ApiTokenDefaults.AuthenticationScheme);
            return;
        }

        var check = context.Features.GetRequiredFeature<ApiTokenCheck>();
        if (required is not null && !check.Identity!.Holds(required))
        {
            metrics.TokenChecked(BeatPassMetrics.InsufficientPermission, check.Cache);
            await ApiAuthorizationResultHandler.WriteInsufficientPermissionAsync(context, required, problemDetails);
            return;
        }

        metrics.TokenChecked(BeatPassMetrics.Outcome(check.Status), check.Cache);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        context.Response.Headers[UserIdHeader] = check.Identity!.UserId;
        context.Response.Headers[TokenIdHeader] = check.Identity.TokenId.ToString();
    }

    /// <summary>RFC 6749 §2.3.1: <c>Basic base64(urlencoded client id ":" urlencoded secret)</c>.</summary>
    private static bool TryReadBasic(HttpRequest request, out string clientId, out string secret)
    {
        clientId = secret = "";
        string? authorization = request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || authorization.Length > 512)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[384];
        if (Convert.TryFromBase64String(authorization[6..].Trim(), decoded, out var length) is false)
        {
            return false;
        }

        var pair = Encoding.UTF8.GetString(decoded[..length]);
        var colon = pair.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        clientId = Uri.UnescapeDataString(pair[..colon]);
        secret = Uri.UnescapeDataString(pair[(colon + 1)..]);
        return true;
    }

    private static long ToUnixSeconds(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds();

    private static Task InvalidRequestAsync(HttpContext context, string description)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new OAuthError("invalid_request", description), TokenCheckJson.Default.OAuthError);
    }
}

/// <summary>RFC 7662 §2.2, as SPEC lists it; <c>exp</c> only for a token that expires.</summary>
public sealed record IntrospectionResponse(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("sub")] string Sub,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("token_id")] Guid TokenId,
    [property: JsonPropertyName("iat")] long Iat,
    [property: JsonPropertyName("exp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Exp);

/// <summary>RFC 6749 §5.2's error answer.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);

[JsonSerializable(typeof(IntrospectionResponse))]
[JsonSerializable(typeof(OAuthError))]
internal sealed partial class TokenCheckJson : JsonSerializerContext;
