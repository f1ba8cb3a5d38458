using System.Security.Claims;
using BeatPass.Core.ApiTokens;

namespace BeatPass.Web.Authentication;

/// <summary>The one place that turns an accepted token's account into claims, and reads them back.</summary>
public static class ApiTokenPrincipal
{
    public static ClaimsPrincipal Create(ApiTokenIdentity identity, string authenticationType) => new(new ClaimsIdentity(
    [
        new(ClaimTypes.NameIdentifier, identity.UserId),
        new(ClaimTypes.Name, identity.UserName),
        new(ClaimTypes.Email, identity.Email),
        new(ApiTokenDefaults.TokenIdClaimType, identity.TokenId.ToString()),
        new(ApiTokenDefaults.TokenNameClaimType, identity.TokenName),
        new(ApiTokenDefaults.PermissionsClaimType, identity.Permissions),
    ], authenticationType));

    /// <summary>The account and token of a principal made by <see cref="Create"/>.</summary>
    public static ApiTokenIdentity IdentityOf(ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(ApiTokenDefaults.TokenIdClaimType)!),
        user.FindFirstValue(ApiTokenDefaults.TokenNameClaimType)!,
        user.FindFirstValue(ClaimTypes.NameIdentifier)!,
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.Email)!,
        PermissionsOf(user));

    /// <summary>The token's working permissions in stored form; empty for a principal that is not a token's.</summary>
    public static string PermissionsOf(ClaimsPrincipal user) => user.FindFirstValue(ApiTokenDefaults.PermissionsClaimType) ?? "";
}
