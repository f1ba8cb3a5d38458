namespace BeatPass.Web.Authentication;

public static class ApiTokenDefaults
{
    public const string AuthenticationScheme = "ApiToken";

    /// <summary>The policy on every <c>/api</c> endpoint: a valid API token, and nothing else (no cookies).</summary>
    public const string AuthorizationPolicy = "ApiToken";

    public const string TokenIdClaimType = "beatpass:token_id";
    public const string TokenNameClaimType = "beatpass:token_name";

    /// <summary>The token's working permissions, in stored form (names separated by spaces), as one claim.</summary>
    public const string PermissionsClaimType = "beatpass:permissions";

    /// <summary>On every answer to a token-authenticated request: what the token may do, separated by spaces.</summary>
    public const string PermissionsHeader = "X-Token-Permissions";

    /// <summary>On a 403: the permission the endpoint needs.</summary>
    public const string AcceptedPermissionsHeader = "X-Accepted-Permissions";
}
