using System.Net;
using BeatPass.Core.Sessions;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace BeatPass.Tests.Security;

/// <summary>X-Forwarded-For counts only from a configured proxy: anyone else cannot choose the address BeatPass records.</summary>
public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task A_forwarded_address_from_an_unknown_peer_is_ignored()
    {
        await using var app = new ProxiedApp(knownProxy: null);
        await app.InitializeAsync();

        (await SignedInAddressAsync(app)).Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task A_forwarded_address_from_a_peer_that_is_not_the_configured_proxy_is_ignored()
    {
        await using var app = new ProxiedApp(knownProxy: "10.9.9.9");
        await app.InitializeAsync();

        (await SignedInAddressAsync(app)).Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task A_forwarded_address_from_a_known_proxy_is_the_clients()
    {
        await using var app = new ProxiedApp(knownProxy: "127.0.0.1");
        await app.InitializeAsync();

        (await SignedInAddressAsync(app)).Should().Be("203.0.113.9");
    }

    /// <summary>Signs in through a "proxy" that says the client is 203.0.113.9; returns the address the session recorded.</summary>
    private static async Task<string?> SignedInAddressAsync(ProxiedApp app)
    {
        var user = await app.CreateUserAsync();
        using var client = app.CreateFormClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");
        (await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var sessions = await app.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(user.Id, null));
        return sessions.Single().IpAddress;
    }

    private sealed class ProxiedApp(string? knownProxy) : LiveAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (knownProxy is not null)
            {
                builder.UseSetting("ForwardedHeaders:KnownProxies:0", knownProxy);
            }
        }
    }
}
