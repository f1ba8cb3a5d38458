using System.Security.Claims;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Web.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BeatPass.Web.Api;

/// <summary>
/// The account's own tokens and security log, through the services the Developers page uses. Nothing here creates a
/// token or shows a secret, except the new secret a rotation returns.
/// </summary>
public static class TokenEndpoints
{
    public static RouteGroupBuilder MapTokenEndpoints(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Tokens");
        tokens.MapGet("/", ListAsync)
            .RequirePermission(ApiPermissions.TokensRead)
            .WithName("ListTokens")
            .WithSummary("The account's tokens")
            .WithDescription("Every API token of the account, newest first. Never a secret.");
        tokens.MapGet("/{id:guid}", GetAsync)
            .RequirePermission(ApiPermissions.TokensRead)
            .WithName("GetToken")
            .WithSummary("One of the account's tokens")
            .WithDescription("404 for an id that is not one of the account's tokens.");
        tokens.MapGet("/self", GetSelfAsync)
            .WithName("GetSelf")
            .WithSummary("The token making the request")
            .WithDescription("Any working token may read itself.");
        tokens.MapDelete("/self", DeleteSelfAsync)
            .WithName("DeleteSelf")
            .WithSummary("Delete the token making the request")
            .WithDescription("Any working token may delete itself; it stops working at once.");
        tokens.MapPost("/self/rotate", RotateSelfAsync)
            .RequirePermission(ApiPermissions.TokensRotateSelf)
            .WithMetadata(new RevokesRetiredSecrets())
            .WithName("RotateSelf")
            .WithSummary("Give the token making the request a new secret")
            .WithDescription(
                "Returns the token with its new secret in `token`, the only time it is shown; the secret used for this request " +
                "stops working at once. Id, name and permissions stay, and a token that expires gets a new expiry of the same " +
                "length. Presenting a rotated-away secret here again revokes the token, its current secret too, and emails its holder.");
        return api;
    }

    public static RouteGroupBuilder MapSecurityLogEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/security-log", SecurityLogAsync)
            .RequirePermission(ApiPermissions.SecurityLogRead)
            .WithTags("Security log")
            .WithName("GetSecurityLog")
            .WithSummary("The account's security log")
            .WithDescription($"Newest first, a page at a time: `page` from 1, `pageSize` from 1 to {SecurityLogService.MaxPageSize}.");
        return api;
    }

    private static async Task<Ok<TokenResponse[]>> ListAsync(ClaimsPrincipal user, ApiTokenService tokens, CancellationToken cancellationToken)
    {
        var list = await tokens.ListAsync(user.GetUserIdFromToken(), cancellationToken);
        return TypedResults.Ok(list.Select(TokenResponse.From).ToArray());
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, ApiTokenService tokens, CancellationToken cancellationToken) =>
        await tokens.FindAsync(user.GetUserIdFromToken(), id, cancellationToken) is { } token
            ? TypedResults.Ok(TokenResponse.From(token))
            : ApiProblems.TokenNotFound();

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> GetSelfAsync(
        ClaimsPrincipal user, ApiTokenService tokens, CancellationToken cancellationToken)
    {
        var identity = ApiTokenPrincipal.IdentityOf(user);
        return await tokens.FindAsync(identity.UserId, identity.TokenId, cancellationToken) is { } token
            ? TypedResults.Ok(TokenResponse.From(token))
            : ApiProblems.TokenNotFound();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSelfAsync(
        ClaimsPrincipal user, ApiTokenService tokens, CancellationToken cancellationToken)
    {
        var identity = ApiTokenPrincipal.IdentityOf(user);
        return await tokens.DeleteAsync(identity.UserId, identity.TokenId, identity.TokenName, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.TokenNotFound();
    }

    private static async Task<Results<Ok<RotatedTokenResponse>, ProblemHttpResult>> RotateSelfAsync(
        HttpRequest request, ClaimsPrincipal user, ApiTokenService tokens, CancellationToken cancellationToken)
    {
        var presented = ApiTokenHash.Parse(ApiTokenAuthenticationHandler.PresentedToken(request));
        var result = await tokens.RotateAsync(ApiTokenPrincipal.IdentityOf(user), presented, cancellationToken);
        return result.Succeeded
            ? TypedResults.Ok(RotatedTokenResponse.From(result.Token))
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not rotated", detail: result.ErrorMessage);
    }

    private static async Task<Results<Ok<PagedResponse<SecurityLogItem>>, ProblemHttpResult>> SecurityLogAsync(
        ClaimsPrincipal user, SecurityLogService log, CancellationToken cancellationToken, int page = 1, int pageSize = SecurityLogService.MaxPageSize)
    {
        if (ApiProblems.BadPage(page, pageSize, SecurityLogService.MaxPageSize) is { } problem)
        {
            return problem;
        }

        var entries = await log.ListAsync(user.GetUserIdFromToken(), page - 1, pageSize, cancellationToken);
        return TypedResults.Ok(new PagedResponse<SecurityLogItem>(
            entries.Items.Select(e => new SecurityLogItem(e.OccurredAt, ApiWords.Action(e.Action), AuditDetails.Describe(e.TokenName, e.Detail, e.ViaTokenName))).ToArray(),
            entries.TotalCount));
    }

    private static string GetUserIdFromToken(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
