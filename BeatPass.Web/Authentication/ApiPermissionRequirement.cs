using BeatPass.Core.ApiTokens;
using Microsoft.AspNetCore.Authorization;

namespace BeatPass.Web.Authentication;

/// <summary>An endpoint's need for one permission: met when the request's token holds it now.</summary>
public sealed class ApiPermissionRequirement(string permission)
    : AuthorizationHandler<ApiPermissionRequirement>, IAuthorizationRequirement
{
    public string Permission { get; } = permission;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiPermissionRequirement requirement)
    {
        if (ApiPermissionCatalog.Holds(ApiTokenPrincipal.PermissionsOf(context.User), requirement.Permission))
        {
            context.Succeed(requirement);
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
        var policy = new AuthorizationPolicyBuilder(ApiTokenDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new ApiPermissionRequirement(permission))
            .Build();
        return builder.RequireAuthorization(policy).WithMetadata(new RequiredApiPermission(permission));
    }
}
