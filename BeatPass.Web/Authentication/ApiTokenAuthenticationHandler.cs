using System.Text.Encodings.Web;
using System.Text.Json;
using BeatPass.Core;
using BeatPass.Core.ApiTokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Authentication;

/// <summary>
/// Authenticates <c>Authorization: Bearer bpat_…</c>. No header: no result. A bad, unknown, deleted, revoked or expired
/// token: failure. The challenge answers 401 with <c>WWW-Authenticate: Bearer</c> and a ProblemDetails body. An
/// accepted token's answer carries <c>X-Token-Permissions</c>. On an endpoint marked <see cref="RevokesRetiredSecrets"/>,
/// a secret the token had before a rotation revokes the token.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<ApiTokenAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenAuthenticator tokens,
    BeatPassMetrics metrics,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<ApiTokenAuthenticationOptions>(options, logger, encoder)
{
    private const string BearerScheme = "Bearer";

    // The failures say the same thing every time: made once, not per request (each holds an exception).
    private static readonly AuthenticateResult NotBearer = AuthenticateResult.Fail("Use the Bearer scheme: Authorization: Bearer <token>.");
    private static readonly AuthenticateResult NoToken = AuthenticateResult.Fail("The Authorization header has no token.");
    private static readonly AuthenticateResult Expired = AuthenticateResult.Fail("The token expired");
    private static readonly AuthenticateResult Invalid = AuthenticateResult.Fail("The token is invalid, revoked or deleted.");
    private static readonly AuthenticateResult RetiredSecret = AuthenticateResult.Fail(
        "This secret was replaced by a rotation. Using it again revoked the token: someone else may hold a copy.");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization))
        {
            return AuthenticateResult.NoResult();
        }

        if (!authorization.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase))
        {
            return NotBearer;
        }

        var token = authorization.AsSpan(BearerScheme.Length);
        if (token.Length > 0 && token[0] != ' ')
        {
            return NotBearer;
        }

        token = token.Trim(' ');
        if (token.IsEmpty)
        {
            return NoToken;
        }

        // The address is the forwarded one only from a known proxy: the forwarded headers middleware ran before.
        var caller = new ApiCaller(Context.Connection.RemoteIpAddress, Request.Headers.UserAgent);
        var check = await tokens.AuthenticateAsync(token, caller, Context.RequestAborted);
        if (!check.Succeeded)
        {
            metrics.TokenChecked(BeatPassMetrics.Outcome(check.Status), check.Cache);
            if (check.Status == ApiTokenStatus.Expired)
            {
                return Expired;
            }

            return Context.GetEndpoint()?.Metadata.GetMetadata<RevokesRetiredSecrets>() is not null
                && await Context.RequestServices.GetRequiredService<ApiTokenService>().RevokeIfRetiredAsync(PresentedToken(Request).ToString(), Context.RequestAborted)
                ? RetiredSecret
                : Invalid;
        }

        // Counted once authorization has decided whether the token may do what it asks (ApiAuthorizationResultHandler).
        Context.Features.Set(check);
        Response.Headers[ApiTokenDefaults.PermissionsHeader] = check.Identity.Permissions;
        var principal = ApiTokenPrincipal.Create(check.Identity, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <summary>The token in <c>Authorization: Bearer …</c>, or empty when there is none.</summary>
    public static ReadOnlySpan<char> PresentedToken(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith(BearerScheme + " ", StringComparison.OrdinalIgnoreCase)
            ? authorization.AsSpan(BearerScheme.Length).Trim(' ')
            : [];
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        // Our own failures explain themselves; anything else (a database error) stays on the server.
        var failure = result.Failure switch
        {
            null => null,
            AuthenticationFailureException own => own.Message,
            _ => "The token could not be checked.",
        };

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750: say why only when a token was presented.
        Response.Headers.WWWAuthenticate = failure is null
            ? BearerScheme
            : $"{BearerScheme} error=\"invalid_token\", error_description=\"{failure}\"";

        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Unauthorized",
            Detail = failure ?? "Send an API token in the Authorization header: Bearer <token>.",
        };
        // The service declines when the Accept header rules out JSON; the client still gets the 401 and why.
        if (!await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem }))
        {
            await Response.WriteAsJsonAsync(problem, (JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}

/// <summary>
/// Endpoint metadata: an unknown secret presented here is checked against the secrets tokens had before a rotation,
/// and such a secret revokes its token (<see cref="ApiTokenService.RevokeIfRetiredAsync"/>).
/// </summary>
public sealed class RevokesRetiredSecrets;
