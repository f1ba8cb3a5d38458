using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace BeatPass.Web.Security;

/// <summary>
/// Behind a load balancer or TLS proxy, the client's address and scheme come from <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c>, but only on requests from the proxies listed in <c>ForwardedHeaders:KnownProxies</c>.
/// ASP.NET Core's default trusts loopback; here nothing is trusted unless listed, so a client cannot pick the
/// address the rate limits and Active Sessions see.
/// </summary>
public static class ForwardedHeadersSetup
{
    public const string KnownProxiesKey = "ForwardedHeaders:KnownProxies";

    public static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = configuration.GetSection(KnownProxiesKey).Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // With no proxy listed, the middleware would trust every peer: read no forwarded header at all then.
            options.ForwardedHeaders = proxies.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the older list still holds loopback by default, and is still consulted
            options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"{KnownProxiesKey} holds \"{proxy}\", which is not an IP address."));
            }
        });
        return services;
    }
}
