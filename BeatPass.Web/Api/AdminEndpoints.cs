using System.Security.Claims;
using BeatPass.Core.Audit;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Web.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BeatPass.Web.Api;

/// <summary>
/// The staff admin page's work through the API, with the same services: the same staff check, audit entries (naming
/// the token that acted) and emails as clicking the switch.
/// </summary>
public static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdminEndpoints(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").WithTags("Staff");
        admin.MapGet("/accounts", AccountsAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessRead)
            .WithName("ListAccounts")
            .WithSummary("Accounts and their developer access")
            .WithDescription($"Searched by email or user name, a page at a time: `page` from 1, `pageSize` from 1 to {AccountsQuery.MaxPageSize}.");
        admin.MapPut("/accounts/{id}/developer-access", GrantAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessWrite)
            .WithName("GrantDeveloperAccess")
            .WithSummary("Grant an account developer access")
            .WithDescription("As turning the switch on: audited and emailed. Granting an account that has access changes nothing.");
        admin.MapDelete("/accounts/{id}/developer-access", RevokeAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessWrite)
            .WithName("RevokeDeveloperAccess")
            .WithSummary("Revoke an account's developer access")
            .WithDescription("As turning the switch off: deletes all of the account's tokens in the same transaction, audited and emailed.");
        admin.MapGet("/access-requests", AccessRequestsAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessRead)
            .WithName("ListAccessRequests")
            .WithSummary("Requests for developer access")
            .WithDescription($"The pending requests, oldest first, then the last {AccessRequests.DecidedShown} decided ones, newest decision first.");
        admin.MapPost("/access-requests/{id:guid}/approve", ApproveAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessWrite)
            .WithName("ApproveAccessRequest")
            .WithSummary("Approve a request for developer access")
            .WithDescription("Grants the account developer access in the same transaction, as turning the switch on: audited and emailed. 409 once the request was decided.");
        admin.MapPost("/access-requests/{id:guid}/decline", DeclineAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessWrite)
            .WithName("DeclineAccessRequest")
            .WithSummary("Decline a request for developer access")
            .WithDescription($"With an optional JSON body `{{\"reason\": \"…\"}}` (at most {AccessRequests.ReasonMaxLength} characters), sent to the account holder; no body for no reason. Audited. 409 once the request was decided.");
        admin.MapGet("/audit", AuditAsync)
            .RequirePermission(ApiPermissions.DeveloperAccessRead)
            .WithName("GetAuditLog")
            .WithSummary("The audit log")
            .WithDescription($"Newest first, optionally about one account (`account`: its id), a page at a time: `page` from 1, `pageSize` from 1 to {AuditFeedQuery.MaxTake}.");
        return api;
    }

    private static async Task<Results<Ok<PagedResponse<AdminAccountItem>>, ProblemHttpResult>> AccountsAsync(
        ClaimsPrincipal user, AccountsQuery accounts, CancellationToken cancellationToken,
        string? search = null, int page = 1, int pageSize = 50)
    {
        if (ApiProblems.BadPage(page, pageSize, AccountsQuery.MaxPageSize) is { } problem)
        {
            return problem;
        }

        try
        {
            var found = await accounts.SearchAsync(ActorId(user), new AccountQuery(search, page - 1, pageSize), cancellationToken);
            return TypedResults.Ok(new PagedResponse<AdminAccountItem>(found.Items.Select(AdminAccountItem.From).ToArray(), found.TotalCount));
        }
        catch (StaffOnlyException)
        {
            return ApiProblems.StaffOnly();
        }
    }

    private static Task<Results<NoContent, ProblemHttpResult>> GrantAsync(
        string id, ClaimsPrincipal user, DeveloperAccessService access, CancellationToken cancellationToken) =>
        ChangeAccessAsync(() => access.GrantAsync(ActorId(user), id, ApiTokenPrincipal.IdentityOf(user).TokenName, cancellationToken));

    private static Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, ClaimsPrincipal user, DeveloperAccessService access, CancellationToken cancellationToken) =>
        ChangeAccessAsync(() => access.RevokeAsync(ActorId(user), id, ApiTokenPrincipal.IdentityOf(user).TokenName, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeAccessAsync(Func<Task> change)
    {
        try
        {
            await change();
            return TypedResults.NoContent();
        }
        catch (StaffOnlyException)
        {
            return ApiProblems.StaffOnly();
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no account with that id.");
        }
    }

    private static async Task<Results<Ok<PagedResponse<AuditItem>>, ProblemHttpResult>> AuditAsync(
        ClaimsPrincipal user, AuditFeedQuery audit, CancellationToken cancellationToken,
        string? account = null, int page = 1, int pageSize = 50)
    {
        if (ApiProblems.BadPage(page, pageSize, AuditFeedQuery.MaxTake) is { } problem)
        {
            return problem;
        }

        try
        {
            var found = await audit.PageAsync(ActorId(user), string.IsNullOrEmpty(account) ? null : account, page - 1, pageSize, cancellationToken);
            return TypedResults.Ok(new PagedResponse<AuditItem>(
                found.Items.Select(e => new AuditItem(e.OccurredAt, e.Actor, e.Subject, ApiWords.Action(e.Action),
                    AuditDetails.Describe(e.TokenName, e.Detail, e.ViaTokenName))).ToArray(),
                found.TotalCount));
        }
        catch (StaffOnlyException)
        {
            return ApiProblems.StaffOnly();
        }
    }

    private static async Task<Results<Ok<AccessRequestsResponse>, ProblemHttpResult>> AccessRequestsAsync(
        ClaimsPrincipal user, AccessRequests requests, CancellationToken cancellationToken)
    {
        try
        {
            var queue = await requests.ListAsync(ActorId(user), cancellationToken);
            return TypedResults.Ok(new AccessRequestsResponse(
                [.. queue.Pending.Select(AccessRequestResponse.From)], [.. queue.Decided.Select(AccessRequestResponse.From)]));
        }
        catch (StaffOnlyException)
        {
            return ApiProblems.StaffOnly();
        }
    }

    private static Task<Results<NoContent, ProblemHttpResult>> ApproveAsync(
        Guid id, ClaimsPrincipal user, AccessRequests requests, CancellationToken cancellationToken) =>
        DecideAsync(() => requests.ApproveAsync(ActorId(user), id, ApiTokenPrincipal.IdentityOf(user).TokenName, cancellationToken));

    // The body is optional (no reason, no body), which a bound body parameter would not allow: an empty POST must not
    // fall through to the 404 for unknown addresses.
    private static async Task<Results<NoContent, ProblemHttpResult>> DeclineAsync(
        Guid id, HttpRequest request, ClaimsPrincipal user, AccessRequests requests, CancellationToken cancellationToken)
    {
        DeclineAccessRequest? body = null;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !request.HasJsonContentType())
        {
            // Not read as no reason: a decline can't be taken back, and its reason was meant for the holder.
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported body",
                detail: "Send the reason as JSON (Content-Type: application/json), such as {\"reason\": \"…\"}, or no body.");
        }

        if (hasBody)
        {
            try
            {
                body = await request.ReadFromJsonAsync<DeclineAccessRequest>(cancellationToken);
            }
            catch (System.Text.Json.JsonException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid body",
                    detail: "Send a JSON object such as {\"reason\": \"…\"}, or no body.");
            }
        }

        return await DecideAsync(() => requests.DeclineAsync(ActorId(user), id, body?.Reason, ApiTokenPrincipal.IdentityOf(user).TokenName, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DecideAsync(Func<Task> decide)
    {
        try
        {
            await decide();
            return TypedResults.NoContent();
        }
        catch (StaffOnlyException)
        {
            return ApiProblems.StaffOnly();
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: e.Message);
        }
        catch (AccessRequestDecidedException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already decided", detail: e.Message);
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid reason", detail: e.Message);
        }
    }

    private static string ActorId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
