using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Hosting;

/// <summary>
/// HAProxy with the project's own <c>deploy/haproxy.cfg</c> in front of two app nodes on one PostgreSQL database:
/// what a browser meets in a deployment of several nodes.
/// </summary>
public sealed class LoadBalancerTests(TwoNodes nodes) : IClassFixture<TwoNodes>, IAsyncLifetime
{
    private readonly int _port = LoopbackPorts.Free();
    private Process _haproxy = null!;

    private Uri Balancer => new($"http://127.0.0.1:{_port}");

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("haproxy", ["-f", Path.Combine(RepositoryPaths.Root, "deploy", "haproxy.cfg"), "-db"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["BALANCER_PORT"] = _port.ToString();
        start.Environment["NODE1_PORT"] = nodes.A.BaseAddress.Port.ToString();
        start.Environment["NODE2_PORT"] = nodes.B.BaseAddress.Port.ToString();
        _haproxy = Process.Start(start) ?? throw new InvalidOperationException("HAProxy did not start. ./test.sh installs it.");
        _haproxy.BeginOutputReadLine();
        _haproxy.BeginErrorReadLine();

        // Ready once it answers through to a node.
        using var client = new HttpClient { BaseAddress = Balancer };
        await Wait.UntilAsync(async () =>
        {
            _haproxy.HasExited.Should().BeFalse("HAProxy should accept deploy/haproxy.cfg");
            return await AnswersAsync(client);
        }, TimeSpan.FromSeconds(30), "HAProxy should answer through to a node");
    }

    public Task DisposeAsync()
    {
        _haproxy.Kill();
        _haproxy.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_browser_signs_in_through_the_balancer_and_stays_on_the_node_it_reached()
    {
        var user = await nodes.A.CreateUserAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = Balancer };

        (await IdentityForms.SignInAsync(browser, user.Email!, BeatPassAppFactory.Password)).Headers.Location!.ToString().Should().Be("/");

        cookies.GetCookies(Balancer)["BEATPASS_NODE"]!.Value.Should().BeOneOf("node1", "node2");
        (await browser.GetAsync("/account/settings")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_pages_circuit_opens_its_WebSocket_through_the_balancer()
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = Balancer };
        browser.DefaultRequestHeaders.Add("Origin", Balancer.GetLeftPart(UriPartial.Authority));
        using var negotiation = await browser.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        negotiation.StatusCode.Should().Be(HttpStatusCode.OK);
        var connectionToken = JsonDocument.Parse(await negotiation.Content.ReadAsStringAsync()).RootElement.GetProperty("connectionToken").GetString();

        using var socket = new ClientWebSocket();
        socket.Options.Cookies = cookies; // the affinity cookie: the same node that negotiated
        socket.Options.SetRequestHeader("Origin", Balancer.GetLeftPart(UriPartial.Authority));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_port}/_blazor?id={connectionToken}"), CancellationToken.None);

        socket.State.Should().Be(WebSocketState.Open);
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            return (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
