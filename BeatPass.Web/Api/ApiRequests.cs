namespace BeatPass.Web.Api;

/// <summary>
/// Which requests are API requests: the one place that knows the API lives under <c>/api</c>, and that the gateways'
/// check and the services' introspection answer the same way (JSON, never cached, never a page).
/// </summary>
public static class ApiRequests
{
    public const string PathPrefix = "/api";

    /// <summary>Gateways' forward authentication: a token as the API takes it.</summary>
    public const string CheckPath = "/auth/check";

    /// <summary>Services' token introspection (RFC 7662).</summary>
    public const string IntrospectionPath = "/oauth/introspect";

    /// <summary>The API, the check and introspection: JSON answers about tokens.</summary>
    public static bool IsApiRequest(this HttpRequest request) =>
        request.Path.StartsWithSegments(PathPrefix) || request.Path.Equals(CheckPath) || request.Path.Equals(IntrospectionPath);

    /// <summary>Requests that present an API token in <c>Authorization: Bearer</c>: the API and the check.</summary>
    public static bool TakesApiToken(this HttpRequest request) =>
        request.Path.StartsWithSegments(PathPrefix) || request.Path.Equals(CheckPath);
}
