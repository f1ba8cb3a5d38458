using System.Net;
using System.Text.Json;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Api;

public sealed class ApiDocumentationTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Fact]
    public async Task The_OpenAPI_document_describes_api_v1_and_the_bearer_token_only()
    {
        using var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        root.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().Equal("/api/v1/me");
        root.GetProperty("paths").GetProperty("/api/v1/me").GetProperty("get").GetProperty("responses")
            .EnumerateObject().Select(r => r.Name).Should().BeEquivalentTo("200", "401");
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        scheme.GetProperty("type").GetString().Should().Be("http");
        scheme.GetProperty("scheme").GetString().Should().Be("bearer");
        root.GetProperty("security")[0].TryGetProperty("Bearer", out _).Should().BeTrue();
        root.GetProperty("info").GetProperty("description").GetString().Should().Contain("Authorization: Bearer bpat_…");
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
