using System.Security.Claims;
using BeatPass.Core.ApiTokens;

namespace BeatPass.Web.Authentication;

/// <summary>The one place that turns an accepted token's account into claims, and reads them back.</summary>
public static class ApiTokenPrincipal
{
    public static ClaimsPrincipal Create(ApiTokenIdentity identity, string authenticationType)
    {
        var claims = new ClaimsIdentity(authenticationType);
        Add(ClaimTypes.NameIdentifier, identity.UserId);
        Add(ClaimTypes.Name, identity.UserName);
        Add(ClaimTypes.Email, identity.Email);
        Add(ApiTokenDefaults.TokenIdClaimType, identity.TokenId.ToString());
        Add(ApiTokenDefaults.TokenNameClaimType, identity.TokenName);
        Add(ApiTokenDefaults.PermissionsClaimType, identity.Permissions);
        return new ClaimsPrincipal(claims);

        // Made with the identity as their subject: ClaimsIdentity keeps such a claim as it is, and copies any other (this
        // runs on every API request).
        void Add(string type, string value) => claims.AddClaim(
            new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, claims));
    }

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
