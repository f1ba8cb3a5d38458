namespace BeatPass.Web.Authentication;

public static class ApiTokenDefaults
{
    public const string AuthenticationScheme = "ApiToken";

    /// <summary>The policy on every <c>/api</c> endpoint: a valid API token, and nothing else (no cookies).</summary>
    public const string AuthorizationPolicy = "ApiToken";

    public const string TokenIdClaimType = "beatpass:token_id";
    public const string TokenNameClaimType = "beatpass:token_name";
}
