using System.Security.Claims;
using BeatPass.Core.ApiTokens;
using Microsoft.AspNetCore.Authorization;

namespace BeatPass.Web.Authentication;

/// <summary>
/// An endpoint's need for one permission: met when the request's token holds it now. Its own handler: ASP.NET Core's
/// pass-through handler asks each requirement that is one to decide for itself, so it checks only itself (not every
/// requirement of the request, as <see cref="AuthorizationHandler{TRequirement}"/> would, on every API request).
/// </summary>
public sealed class ApiPermissionRequirement(string permission) : IAuthorizationHandler, IAuthorizationRequirement
{
    public string Permission { get; } = permission;

    public bool IsHeldBy(ClaimsPrincipal user) => ApiPermissionCatalog.Holds(ApiTokenPrincipal.PermissionsOf(user), Permission);

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (IsHeldBy(context.User))
        {
            context.Succeed(this);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Endpoint metadata: the permission the endpoint needs, for the API reference.</summary>
public sealed record RequiredApiPermission(string Permission);

public static class ApiPermissionEndpointExtensions
{
    /// <summary>
    /// Lets only a token that holds <paramref name="permission"/> call the endpoint: any other gets 403 with the
    /// <c>insufficient_scope</c> challenge (see <see cref="ApiAuthorizationResultHandler"/>).
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder
    {
        // No RequireAuthenticatedUser beside it: nobody holds a permission without a token, so a request without one
        // fails this requirement and is challenged (401) all the same, and each requirement is checked on every call.
        var policy = new AuthorizationPolicyBuilder(ApiTokenDefaults.AuthenticationScheme)
            .AddRequirements(new ApiPermissionRequirement(permission))
            .Build();
        return builder.RequireAuthorization(policy).WithMetadata(new RequiredApiPermission(permission));
    }
}
