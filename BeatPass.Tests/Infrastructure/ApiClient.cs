using System.Net.Http.Headers;

namespace BeatPass.Tests.Infrastructure;

/// <summary>Calls to the API as a script makes them.</summary>
public static class ApiClient
{
    public const string MePath = "/api/v1/me";

    /// <summary><c>GET /api/v1/me</c> with <c>Authorization: Bearer <paramref name="token"/></c>, and any headers <paramref name="headers"/> adds.</summary>
    public static async Task<HttpResponseMessage> GetMeAsync(this HttpClient client, string token, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, MePath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        headers?.Invoke(request.Headers);
        return await client.SendAsync(request);
    }
}
