using System.Net;
using System.Text.Json;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Api;

public sealed class ApiDocumentationTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Fact]
    public async Task The_OpenAPI_document_describes_api_v1_and_the_bearer_token_only()
    {
        using var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        root.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{id}", "/api/v1/tokens/self", "/api/v1/tokens/self/rotate",
            "/api/v1/security-log", "/api/v1/admin/accounts", "/api/v1/admin/accounts/{id}/developer-access", "/api/v1/admin/audit",
            "/api/v1/admin/access-requests", "/api/v1/admin/access-requests/{id}/approve", "/api/v1/admin/access-requests/{id}/decline");
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        scheme.GetProperty("type").GetString().Should().Be("http");
        scheme.GetProperty("scheme").GetString().Should().Be("bearer");
        root.GetProperty("security")[0].TryGetProperty("Bearer", out _).Should().BeTrue();
        root.GetProperty("info").GetProperty("description").GetString().Should().Contain("Authorization: Bearer bpat_…")
            .And.Contain("insufficient_scope");
    }

    public static TheoryData<string, string, string?> Operations() => new()
    {
        { "/api/v1/me", "get", ApiPermissions.AccountRead },
        { "/api/v1/tokens", "get", ApiPermissions.TokensRead },
        { "/api/v1/tokens/{id}", "get", ApiPermissions.TokensRead },
        { "/api/v1/tokens/self", "get", null },
        { "/api/v1/tokens/self", "delete", null },
        { "/api/v1/tokens/self/rotate", "post", ApiPermissions.TokensRotateSelf },
        { "/api/v1/security-log", "get", ApiPermissions.SecurityLogRead },
        { "/api/v1/admin/accounts", "get", ApiPermissions.DeveloperAccessRead },
        { "/api/v1/admin/accounts/{id}/developer-access", "put", ApiPermissions.DeveloperAccessWrite },
        { "/api/v1/admin/accounts/{id}/developer-access", "delete", ApiPermissions.DeveloperAccessWrite },
        { "/api/v1/admin/audit", "get", ApiPermissions.DeveloperAccessRead },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Each_operation_names_the_permission_it_needs_as_its_scope_and_its_refusals(string path, string method, string? permission)
    {
        using var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);

        var scopes = operation.GetProperty("security")[0].GetProperty("Bearer").EnumerateArray().Select(s => s.GetString());
        var responses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        responses.Should().Contain("401");
        if (permission is null)
        {
            scopes.Should().BeEmpty("any working token may do this");
            responses.Should().NotContain("403");
        }
        else
        {
            scopes.Should().Equal(permission);
            responses.Should().Contain("403");
            operation.GetProperty("description").GetString().Should().Contain($"Needs the permission `{permission}`.");
        }
    }

    [Fact]
    public async Task The_examples_use_this_servers_configured_address_not_the_requests_host()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "attacker.example";

        using var document = JsonDocument.Parse(await (await app.CreateClient().SendAsync(request)).Content.ReadAsStringAsync());

        var server = app.PublicUrl.GetLeftPart(UriPartial.Authority);
        document.RootElement.GetProperty("servers")[0].GetProperty("url").GetString().Should().Be(server);
        document.RootElement.GetProperty("info").GetProperty("description").GetString()
            .Should().Contain($"curl {server}/api/v1/me").And.NotContain("attacker.example");
    }

    [Fact]
    public async Task The_reference_page_is_served_anonymously()
    {
        var response = await app.CreateClient().GetAsync("/scalar/v1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("BeatPass API");
    }
}
