using System.Net;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Security;

/// <summary>Anonymous visitors get pages rendered once on the server, with no interactive circuit to hold.</summary>
public sealed class RenderModeTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    // The marker Blazor leaves where an interactive server component will start a circuit.
    private const string CircuitMarker = "\"type\":\"server\"";

    [Fact]
    public async Task The_home_page_renders_statically_for_an_anonymous_visitor_and_interactively_once_signed_in()
    {
        var anonymous = app.CreateClient();
        var home = await anonymous.GetStringAsync("/");

        home.Should().Contain("Manage your BeatPass account").And.NotContain(CircuitMarker);

        var user = await app.CreateUserAsync();
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        (await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await client.GetStringAsync("/")).Should().Contain(CircuitMarker);
    }
}
