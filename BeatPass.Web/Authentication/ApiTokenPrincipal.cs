using System.Security.Claims;
using BeatPass.Core.ApiTokens;

namespace BeatPass.Web.Authentication;

/// <summary>The one place that turns an accepted token's account into claims; <c>GET /api/v1/me</c> reads them back.</summary>
public static class ApiTokenPrincipal
{
    public static ClaimsPrincipal Create(ApiTokenIdentity identity, string authenticationType) => new(new ClaimsIdentity(
    [
        new(ClaimTypes.NameIdentifier, identity.UserId),
        new(ClaimTypes.Name, identity.UserName),
        new(ClaimTypes.Email, identity.Email),
        new(ApiTokenDefaults.TokenIdClaimType, identity.TokenId.ToString()),
        new(ApiTokenDefaults.TokenNameClaimType, identity.TokenName),
    ], authenticationType));
}
