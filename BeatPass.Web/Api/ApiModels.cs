using System.Text.Json;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.DeveloperAccess;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BeatPass.Web.Api;

/// <summary>A token as the API shows it: never its secret.</summary>
/// <param name="LastUsedFrom">The last few distinct client addresses it was used from, newest first (at most 5).</param>
/// <param name="LastUsedUserAgent">The <c>User-Agent</c> of its last use, if it sent one.</param>
/// <param name="LastUsedByService">The BeatPass service that asked about it at its last use (introspection), if one did.</param>
public sealed record TokenResponse(
    Guid Id, string Name, string? Description, string Hint, IReadOnlyList<string> Permissions, DateTime CreatedAt, DateTime? LastUsedAt,
    IReadOnlyList<string> LastUsedFrom, string? LastUsedUserAgent, string? LastUsedByService, DateTime? ExpiresAt, RevokedResponse? Revoked)
{
    public static TokenResponse From(ApiTokenSummary token) => new(
        token.Id, token.Name, token.Description, token.Hint, token.Permissions, token.CreatedAt, token.LastUsedAt, token.LastUsedFrom ?? [],
        token.LastUsedUserAgent, token.LastUsedByService, token.ExpiresAt, token.RevokedAt is { } at ? new RevokedResponse(at, token.RevokedReason ?? "", token.RevokedFoundAt) : null);
}

/// <param name="FoundAt">Where a leak report found the secret, when GitHub secret scanning revoked the token.</param>
public sealed record RevokedResponse(DateTime At, string Reason, string? FoundAt);

/// <summary>A token just rotated, with its new secret in <see cref="Token"/>: the only time it is shown.</summary>
public sealed record RotatedTokenResponse(
    Guid Id, string Name, string? Description, string Hint, IReadOnlyList<string> Permissions, DateTime CreatedAt, DateTime? LastUsedAt,
    IReadOnlyList<string> LastUsedFrom, string? LastUsedUserAgent, string? LastUsedByService, DateTime? ExpiresAt, RevokedResponse? Revoked,
    string Token)
{
    public static RotatedTokenResponse From(CreatedApiToken created)
    {
        var token = TokenResponse.From(created.Summary);
        return new(token.Id, token.Name, token.Description, token.Hint, token.Permissions, token.CreatedAt, token.LastUsedAt, token.LastUsedFrom,
            token.LastUsedUserAgent, token.LastUsedByService, token.ExpiresAt, token.Revoked, created.PlainText);
    }
}

/// <summary>A page of items and how many there are in all.</summary>
public sealed record PagedResponse<T>(IReadOnlyList<T> Items, int Total);

public sealed record SecurityLogItem(DateTime At, string Action, string Detail);

public sealed record AdminAccountItem(string Id, string Email, string UserName, bool HasDeveloperAccess, int TokenCount, DateTime? LastApiUseAt)
{
    public static AdminAccountItem From(AccountSummary account) => new(
        account.UserId, account.Email, account.UserName, account.HasDeveloperAccess, account.TokenCount, account.LastApiUseAt);
}

/// <param name="Status"><c>pending</c>, <c>approved</c> or <c>declined</c>.</param>
/// <param name="DecidedBy">The email of the staff member who decided, once decided.</param>
public sealed record AccessRequestResponse(
    Guid Id, string AccountId, string Email, string Text, DateTime RequestedAt, string Status, DateTime? DecidedAt, string? DecidedBy,
    string? DeclineReason)
{
    public static AccessRequestResponse From(AccessRequestItem request) => new(
        request.Id, request.UserId, request.Email, request.Text, request.RequestedAt,
        JsonNamingPolicy.CamelCase.ConvertName(request.Status.ToString()), request.DecidedAt, request.DecidedBy, request.DeclineReason);
}

public sealed record AccessRequestsResponse(IReadOnlyList<AccessRequestResponse> Pending, IReadOnlyList<AccessRequestResponse> Decided);

/// <param name="Reason">Optional; sent to the account holder.</param>
public sealed record DeclineAccessRequest(string? Reason);

public sealed record AuditItem(DateTime At, string Actor, string Subject, string Action, string Detail);

/// <summary>The words the API uses where the code has an enum.</summary>
public static class ApiWords
{
    /// <summary>An audit action as the API names it, e.g. <c>tokenCreated</c>.</summary>
    public static string Action(AuditAction action) => JsonNamingPolicy.CamelCase.ConvertName(action.ToString());
}

/// <summary>The API's refusals that more than one endpoint gives.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult TokenNotFound() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "Your account has no token with that id.");

    public static ProblemHttpResult StaffOnly() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Only BeatPass staff can do this.");

    /// <summary>A problem when <paramref name="page"/> (from 1) or <paramref name="pageSize"/> is out of range; null when both are fine.</summary>
    public static ProblemHttpResult? BadPage(int page, int pageSize, int maxPageSize) =>
        page < 1 || pageSize < 1 || pageSize > maxPageSize
            ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad paging",
                detail: $"page must be 1 or more, and pageSize from 1 to {maxPageSize}.")
            : null;
}
