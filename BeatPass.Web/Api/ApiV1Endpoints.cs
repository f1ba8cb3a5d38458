using System.Security.Claims;
using BeatPass.Core.ApiTokens;
using BeatPass.Web.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BeatPass.Web.Api;

public static class ApiV1Endpoints
{
    public static IEndpointRouteBuilder MapApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiRequests.PathPrefix}/v1").RequireAuthorization(ApiTokenDefaults.AuthorizationPolicy);
        api.MapGet("/me", GetMe)
            .RequirePermission(ApiPermissions.AccountRead)
            .WithName("GetMe")
            .WithTags("Account")
            .WithSummary("The account and token behind the request")
            .WithDescription("Returns the BeatPass account the token belongs to, and the token's id and name.");
        api.MapTokenEndpoints();
        api.MapSecurityLogEndpoints();
        api.MapAdminEndpoints();
        // Any other address under /api gets the API's kind of answer: a 404 that says so, not an empty one.
        app.MapFallback($"{ApiRequests.PathPrefix}/{{**path}}", () => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                detail: $"There is no API endpoint at this address. The API reference is at {ApiDocumentation.ReferencePath}."))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The answer of <c>GET /api/v1/me</c>, from the claims the ApiToken handler put in the ticket: it already
    /// loaded the account and token, so this needs no database call. Public for the benchmark harness.
    /// </summary>
    public static Ok<MeResponse> GetMe(ClaimsPrincipal user)
    {
        var identity = ApiTokenPrincipal.IdentityOf(user);
        return TypedResults.Ok(new MeResponse(
            identity.UserId, identity.UserName, identity.Email, new MeToken(identity.TokenId, identity.TokenName)));
    }
}

public sealed record MeResponse(string Id, string UserName, string Email, MeToken Token);

public sealed record MeToken(Guid Id, string Name);
