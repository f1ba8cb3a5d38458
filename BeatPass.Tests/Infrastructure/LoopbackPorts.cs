using System.Net;
using System.Net.Sockets;

namespace BeatPass.Tests.Infrastructure;

public static class LoopbackPorts
{
    // Ports come from below Linux's ephemeral range (32768–60999), where the kernel finds ports for bind(0) and for
    // outgoing connections: between the check here and the server's start, nothing else in the run can be given the
    // port, and each one is handed out once per run. (A port the kernel chose was once taken in that gap.)
    private const int First = 10_000;
    private const int Count = 32_768 - First;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A port on 127.0.0.1 that nothing listens on now and no other test is given, for a server to start on later.</summary>
    public static int Free()
    {
        for (var tried = 0; tried < Count; tried++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            if (NothingListensOn(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free 127.0.0.1 port between {First} and {First + Count - 1}.");
    }

    private static bool NothingListensOn(int port)
    {
        var probe = new TcpListener(IPAddress.Loopback, port);
        try
        {
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            probe.Stop();
        }
    }
}
