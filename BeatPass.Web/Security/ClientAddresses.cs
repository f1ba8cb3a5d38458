using System.Net;
using System.Net.Sockets;

namespace BeatPass.Web.Security;

public static class ClientAddresses
{
    /// <summary>
    /// The key rate limits count a client by: an IPv4 address as it is, an IPv6 one by its /64 (one customer's
    /// network, which can hand out any address inside it).
    /// </summary>
    public static string Partition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
