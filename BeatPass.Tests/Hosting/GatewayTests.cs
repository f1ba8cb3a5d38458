using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BeatPass.Tests.Hosting;

/// <summary>
/// nginx with the project's own <c>deploy/nginx.conf</c> in front of a stub service: every request under /library/ is
/// checked by a real BeatPass node through <c>/auth/check</c>, and needs <c>library:read</c>.
/// </summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private readonly GatewayApp _beatpass = new();
    private readonly string _prefix = Path.Combine(Path.GetTempPath(), $"beatpass-gateway-{Guid.NewGuid():N}");
    private readonly int _port = LoopbackPorts.Free();
    private WebApplication _upstream = null!;
    private Process _nginx = null!;
    private int _upstreamRequests;

    private Uri Gateway => new($"http://127.0.0.1:{_port}");

    public async Task InitializeAsync()
    {
        await _beatpass.InitializeAsync();

        // The protected service: says who nginx told it the caller is.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _upstream = builder.Build();
        _upstream.MapGet("/library/albums", (HttpRequest request) =>
        {
            Interlocked.Increment(ref _upstreamRequests);
            return Results.Text($"albums of {request.Headers["X-BeatPass-User-Id"]} via {request.Headers["X-BeatPass-Token-Id"]} " +
                $"with {request.Headers["X-Token-Permissions"]}");
        });
        await _upstream.StartAsync();

        Directory.CreateDirectory(Path.Combine(_prefix, "tmp"));
        var config = (await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy", "nginx.conf")))
            .Replace("@GATEWAY_PORT@", _port.ToString())
            .Replace("@BEATPASS@", $"127.0.0.1:{_beatpass.BaseAddress.Port}")
            .Replace("@UPSTREAM@", $"127.0.0.1:{new Uri(_upstream.Urls.First()).Port}");
        await File.WriteAllTextAsync(Path.Combine(_prefix, "nginx.conf"), config);
        var start = new ProcessStartInfo("nginx", ["-p", _prefix, "-c", "nginx.conf", "-g", "daemon off;"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _nginx = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start. ./test.sh installs it.");
        _nginx.BeginOutputReadLine();
        _nginx.BeginErrorReadLine();

        // Ready once it answers (401: no token).
        using var client = new HttpClient { BaseAddress = Gateway };
        await Wait.UntilAsync(async () =>
        {
            _nginx.HasExited.Should().BeFalse("nginx should accept deploy/nginx.conf");
            return await AnswersAsync(client);
        }, TimeSpan.FromSeconds(30), "nginx should answer");
    }

    public async Task DisposeAsync()
    {
        // The tree: nginx's worker would otherwise outlive its master and hold the output pipes open.
        _nginx.Kill(entireProcessTree: true);
        await _nginx.WaitForExitAsync();
        _nginx.Dispose();
        await _upstream.DisposeAsync();
        await _beatpass.DisposeAsync();
        Directory.Delete(_prefix, recursive: true);
    }

    [Fact]
    public async Task A_token_with_the_permission_reaches_the_service_which_learns_whose_it_is_and_a_forged_identity_is_overwritten()
    {
        var user = await _beatpass.CreateUserAsync();
        var token = (await _beatpass.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(user.Id, "Library", null, [ApiPermissions.AccountRead, "library:read"]))).Token!;

        using var response = await GetAlbumsAsync(token.PlainText, forgedUserId: "someone-else");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be($"albums of {user.Id} via {token.Summary.Id} with account:read library:read");
    }

    [Fact]
    public async Task A_token_without_the_permission_gets_403_and_a_bad_or_missing_one_401_and_the_service_never_sees_them()
    {
        var user = await _beatpass.CreateUserAsync();
        var token = await _beatpass.CreateTokenAsync(user.Id);

        (await GetAlbumsAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var madeUp = await GetAlbumsAsync(ApiTokenFormat.Generate());
        madeUp.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        madeUp.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer");
        (await GetAlbumsAsync(null, forgedUserId: user.Id)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        Volatile.Read(ref _upstreamRequests).Should().Be(0);
    }

    [Fact]
    public async Task A_deleted_token_is_refused_on_the_next_request()
    {
        var user = await _beatpass.CreateUserAsync();
        var token = (await _beatpass.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(user.Id, "Library", null, ["library:read"]))).Token!;
        (await GetAlbumsAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);

        await _beatpass.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, token.Summary.Id));

        (await GetAlbumsAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> GetAlbumsAsync(string? token, string? forgedUserId = null)
    {
        using var client = new HttpClient { BaseAddress = Gateway };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/library/albums");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (forgedUserId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-BeatPass-User-Id", forgedUserId);
        }

        return await client.SendAsync(request);
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/library/albums");
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>A BeatPass node over real HTTP that declares <c>library:read</c> and trusts the gateway on 127.0.0.1.</summary>
    private sealed class GatewayApp : LiveAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ApiTokens:ExtraPermissions:0:Name", "library:read");
            builder.UseSetting("ApiTokens:ExtraPermissions:0:Area", "Library");
            builder.UseSetting("ApiTokens:ExtraPermissions:0:Description", "Read your library.");
            builder.UseSetting("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        }
    }
}
