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

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };
}
