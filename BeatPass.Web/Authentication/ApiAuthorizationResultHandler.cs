using BeatPass.Core;
using BeatPass.Core.ApiTokens;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace BeatPass.Web.Authentication;

/// <summary>
/// Answers a token that lacks an endpoint's permission as RFC 6750 §3.1 says: 403 with
/// <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="…"</c>, <c>X-Accepted-Permissions</c> and a
/// ProblemDetails body naming the permission. Everything else is ASP.NET's default.
/// </summary>
public sealed class ApiAuthorizationResultHandler(IProblemDetailsService problemDetails, BeatPassMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var missing = authorizeResult.Forbidden
            ? authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ApiPermissionRequirement>().FirstOrDefault()
            : null;
        // A token that authenticated is counted here, once, as valid or as lacking the permission; refusals were counted
        // as the handler made them.
        if (context.Features.Get<ApiTokenCheck>() is { } check)
        {
            metrics.TokenChecked(missing is null ? BeatPassMetrics.Outcome(check.Status) : BeatPassMetrics.InsufficientPermission, check.Cache);
        }
        if (missing is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        await WriteInsufficientPermissionAsync(context, missing.Permission, problemDetails);
    }

    /// <summary>The 403 for a token that lacks <paramref name="permission"/>; also the gateways' check's.</summary>
    public static async Task WriteInsufficientPermissionAsync(HttpContext context, string permission, IProblemDetailsService problemDetails)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        // Exactly RFC 6750's form, as SPEC gives it; the body says the rest.
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{permission}\"";
        context.Response.Headers[ApiTokenDefaults.AcceptedPermissionsHeader] = permission;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Forbidden",
            Detail = $"This token doesn't have the permission {permission}, which this request needs. " +
                "A token's permissions are fixed when it is created: create a new token with it.",
            Extensions = { ["permission"] = permission },
        };
        if (!await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
