using System.Net;
using System.Net.Http.Headers;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Security;

public sealed class FailedAuthenticationLimitTests(FailedAuthenticationLimitTests.App app)
    : IClassFixture<FailedAuthenticationLimitTests.App>
{
    [Fact]
    public async Task Many_bad_tokens_from_one_address_get_429_with_Retry_After_while_other_addresses_work()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        const string attacker = "203.0.113.7";

        for (var i = 0; i < App.Limit; i++)
        {
            (await GetMeAsync(attacker, ApiTokenFormat.Generate())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using var limited = await GetMeAsync(attacker, ApiTokenFormat.Generate());
        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        int.Parse(limited.Headers.GetValues("Retry-After").Single()).Should().BeInRange(1, 60);
        limited.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await GetMeAsync(attacker, token.PlainText)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is blocked, whatever it sends");

        (await GetMeAsync("198.51.100.20", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetMeAsync("198.51.100.21", ApiTokenFormat.Generate())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Valid_requests_are_never_counted()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);

        for (var i = 0; i < App.Limit * 3; i++)
        {
            (await GetMeAsync("192.0.2.50", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    private async Task<HttpResponseMessage> GetMeAsync(string clientAddress, string token)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(App.ClientAddressHeader, clientAddress);
        return await client.SendAsync(request);
    }

    /// <summary>The app with a low limit, and requests that say which address they come from.</summary>
    public sealed class App : BeatPassAppFactory
    {
        public const int Limit = 5;
        public const string ClientAddressHeader = "X-Test-Client-Address";

        protected override int FailedAuthenticationsPerWindow => Limit;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        }

        private sealed class ClientAddressFromHeader : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use((context, nextMiddleware) =>
                {
                    if (context.Request.Headers.TryGetValue(ClientAddressHeader, out var address))
                    {
                        context.Connection.RemoteIpAddress = IPAddress.Parse(address!);
                    }

                    return nextMiddleware(context);
                });
                next(app);
            };
        }
    }
}
