namespace BeatPass.Web.Api;

/// <summary>Which requests are API requests: the one place that knows the API lives under <c>/api</c>.</summary>
public static class ApiRequests
{
    public const string PathPrefix = "/api";

    public static bool IsApiRequest(this HttpRequest request) => request.Path.StartsWithSegments(PathPrefix);
}
