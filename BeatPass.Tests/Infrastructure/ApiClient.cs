using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BeatPass.Core.Services;
using BeatPass.Web.Api;

namespace BeatPass.Tests.Infrastructure;

/// <summary>Calls to the API as a script makes them.</summary>
public static class ApiClient
{
    public const string MePath = "/api/v1/me";

    /// <summary><c>GET /api/v1/me</c> with <c>Authorization: Bearer <paramref name="token"/></c>, and any headers <paramref name="headers"/> adds.</summary>
    public static Task<HttpResponseMessage> GetMeAsync(this HttpClient client, string token, Action<HttpRequestHeaders>? headers = null) =>
        client.SendWithTokenAsync(HttpMethod.Get, MePath, token, headers);

    /// <summary>A request with <c>Authorization: Bearer <paramref name="token"/></c>, and any headers <paramref name="headers"/> adds.</summary>
    /// <param name="content">Its body, if it has one.</param>
    public static async Task<HttpResponseMessage> SendWithTokenAsync(
        this HttpClient client, HttpMethod method, string path, string token, Action<HttpRequestHeaders>? headers = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        headers?.Invoke(request.Headers);
        return await client.SendAsync(request);
    }

    /// <summary>The status of <c>GET <paramref name="path"/></c> with the token.</summary>
    public static async Task<HttpStatusCode> GetStatusWithTokenAsync(this HttpClient client, string path, string token)
    {
        using var response = await client.SendWithTokenAsync(HttpMethod.Get, path, token);
        return response.StatusCode;
    }

    /// <summary>The <c>Authorization</c> value of HTTP Basic with a service's client id and secret.</summary>
    public static string Basic(string clientId, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}"));

    /// <summary><c>POST /oauth/introspect</c> (or <paramref name="path"/>) with this <c>Authorization</c> (none when null) and body.</summary>
    public static async Task<HttpResponseMessage> PostIntrospectionAsync(
        this HttpClient client, string? authorization, HttpContent body, string path = ApiRequests.IntrospectionPath)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Introspects <paramref name="token"/> as <paramref name="service"/>, as a BeatPass service does.</summary>
    public static Task<HttpResponseMessage> IntrospectAsync(this HttpClient client, AddedServiceClient service, string token) =>
        client.PostIntrospectionAsync(Basic(service.Service.ClientId, service.Secret), new FormUrlEncodedContent([new("token", token)]));
}
