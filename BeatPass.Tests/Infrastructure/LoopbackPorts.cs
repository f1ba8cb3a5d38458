using System.Net;
using System.Net.Sockets;

namespace BeatPass.Tests.Infrastructure;

public static class LoopbackPorts
{
    /// <summary>A port on 127.0.0.1 that nothing listens on now, for a server to start on later.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
