using System.Net;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Email;

/// <summary>In Production only requests for App:PublicUrl's host are served (AllowedHosts comes from it).</summary>
public sealed class PublicUrlTests : IAsyncLifetime
{
    private readonly ProductionApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task In_Production_a_request_for_another_host_is_refused_and_one_for_the_public_address_served()
    {
        using var client = _app.CreateHttpClient();
        using var forged = new HttpRequestMessage(HttpMethod.Get, IdentityPages.ForgotPassword) { Headers = { Host = "evil.example" } };

        (await client.SendAsync(forged)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.GetAsync(IdentityPages.ForgotPassword)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private sealed class ProductionApp : LiveAppFactory
    {
        protected override string EnvironmentName => "Production";
    }
}
