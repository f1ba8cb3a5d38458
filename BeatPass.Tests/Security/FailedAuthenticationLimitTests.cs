using System.Net;
using System.Net.Http.Headers;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using BeatPass.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BeatPass.Tests.Security;

public sealed class FailedAuthenticationLimitTests(FailedAuthenticationLimitTests.App app)
    : IClassFixture<FailedAuthenticationLimitTests.App>
{
    [Fact]
    public async Task Past_the_limit_an_addresss_failures_get_429_with_Retry_After_and_its_valid_token_still_works()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        const string office = "203.0.113.7";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            statuses.Add((await GetMeAsync(office, ApiTokenFormat.Generate())).StatusCode);
        }

        statuses.Take(App.Limit).Should().OnlyContain(status => status == HttpStatusCode.Unauthorized);
        statuses.Skip(App.Limit).Should().OnlyContain(status => status == HttpStatusCode.TooManyRequests);
        using var limited = await GetMeAsync(office, ApiTokenFormat.Generate());
        int.Parse(limited.Headers.GetValues("Retry-After").Single()).Should().BeInRange(1, 60);
        limited.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await GetMeAsync(office, token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK, "only failures are refused");
        (await GetMeAsync("198.51.100.21", ApiTokenFormat.Generate())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_concurrent_burst_of_100_failures_gets_exactly_the_limit_through()
    {
        const string burst = "203.0.113.8";

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => GetMeAsync(burst, ApiTokenFormat.Generate())));

        responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized).Should().Be(App.Limit);
        responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests).Should().Be(100 - App.Limit);
    }

    [Fact]
    public async Task IPv6_clients_are_counted_by_their_64()
    {
        for (var i = 1; i <= App.Limit; i++)
        {
            (await GetMeAsync($"2001:db8:1:2::{i:x}", ApiTokenFormat.Generate())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        (await GetMeAsync("2001:db8:1:2:ffff:ffff:ffff:ffff", ApiTokenFormat.Generate())).StatusCode
            .Should().Be(HttpStatusCode.TooManyRequests, "the same /64");
        (await GetMeAsync("2001:db8:1:3::1", ApiTokenFormat.Generate())).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "another /64");
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

        (await GetMeAsync("192.0.2.50", ApiTokenFormat.Generate())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void Over_the_nodes_budget_the_heaviest_sender_is_still_counted_and_refused_while_others_pass()
    {
        using var limit = new FailedAuthenticationLimit(Options.Create(new ApiRateLimitOptions
        {
            FailuresPerWindow = 20,
            GlobalFailuresPerSecond = 3,
        }));
        var flooder = IPAddress.Parse("203.0.113.9");

        // Three failures a second for the node, twenty a minute for an address: an address sending 400 failures within
        // a second or two is past the budget almost at once. Counted only in samples, it still reaches its limit within
        // a few dozen failures (sampling makes the exact point vary), and from then on every failure of its is refused.
        var answers = Enumerable.Range(0, 400).Select(_ => limit.RecordFailure(flooder)).ToList();
        var firstRefused = answers.FindIndex(answer => answer is not null);

        firstRefused.Should().BeInRange(0, 200);
        answers.Skip(firstRefused).Should().OnlyContain(answer => answer != null, "once refused, the flooder is refused on every failure");
        Enumerable.Range(1, 50).Select(i => limit.RecordFailure(IPAddress.Parse($"198.51.100.{i}")))
            .Should().OnlyContain(answer => answer == null, "addresses that failed once each are not refused for the flooder's sake");
    }

    private async Task<HttpResponseMessage> GetMeAsync(string clientAddress, string token)
    {
        using var client = app.CreateClient();
        return await client.GetMeAsync(token, headers => headers.Add(App.ClientAddressHeader, clientAddress));
    }

    /// <summary>The app with a low limit, and requests that say which address they come from.</summary>
    public sealed class App : BeatPassAppFactory
    {
        public const int Limit = 20;
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
