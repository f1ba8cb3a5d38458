using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The app served by Kestrel over real HTTP on a free 127.0.0.1 port, as a browser or script meets it.</summary>
public class LiveAppFactory(LogLevel minimumLogLevel = LogLevel.Information) : BeatPassAppFactory
{
    protected override LogLevel MinimumLogLevel => minimumLogLevel;

    // Chosen before the server starts, because emailed links are built from App:PublicUrl, which names the port.
    private readonly int _port = LoopbackPorts.Free();

    public Uri BaseAddress { get; private set; } = null!;

    public override Uri PublicUrl => new($"http://127.0.0.1:{_port}");

    /// <summary>More 127.0.0.1 ports the app listens on, such as a management address's.</summary>
    protected virtual IEnumerable<int> MorePorts => [];

    protected override void StartApp()
    {
        UseKestrel(options =>
        {
            foreach (var port in MorePorts.Prepend(_port))
            {
                options.Listen(IPAddress.Loopback, port);
            }
        });
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    /// <summary>A client that keeps cookies and shows each redirect, as a test of sign-in and forms needs; <paramref name="cookies"/> are its own.</summary>
    public HttpClient CreateFormClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = BaseAddress };
}
