using System.Net;
using System.Net.Sockets;
using System.Text;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BeatPass.Tests.Security;

/// <summary>
/// Generated hostile <c>Authorization</c> headers, sent as raw bytes to the real Kestrel server so that nothing
/// in an HTTP client cleans them up first. Each must get 401, or 400/431 where Kestrel refuses the request
/// itself; never a 5xx, and the server must keep answering.
/// </summary>
public sealed class HostileAuthorizationHeaderTests(ITestOutputHelper output) : LiveAppTest
{
    private static readonly HashSet<int> Acceptable = [400, 401, 431];

    [Fact]
    public async Task A_thousand_hostile_headers_get_401_or_400_never_500_and_the_server_keeps_answering()
    {
        var user = await App.CreateUserAsync();
        var valid = await App.CreateTokenAsync(user.Id, "Valid");
        var cases = HostileHeaders(valid.PlainText).ToList();
        cases.Count.Should().BeGreaterThanOrEqualTo(1000);

        var statuses = new Dictionary<int, int>();
        foreach (var (name, headerLines) in cases)
        {
            var status = await SendRawAsync(headerLines);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Acceptable.Should().Contain(status, $"case \"{name}\" must be refused cleanly");
        }

        output.WriteLine($"{cases.Count} cases: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} × {s.Key}")));
        (await SendRawAsync([Latin1($"Authorization: Bearer {valid.PlainText}")])).Should().Be(200, "the server still serves valid tokens");
        (await App.CreateHttpClient().GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Each case: a name for the failure message, and the raw header lines to send.</summary>
    private static IEnumerable<(string Name, byte[][] HeaderLines)> HostileHeaders(string valid)
    {
        var random = new Random(20261127);
        (string, byte[][]) One(string name, string value) => (name, [Latin1("Authorization: " + value)]);

        yield return ("no header", []);
        yield return One("empty", "");
        yield return One("Bearer alone", "Bearer");
        yield return One("Bearer and a space", "Bearer ");
        yield return One("Bearer and spaces", "Bearer     ");
        yield return One("token without a scheme", valid);
        yield return One("upper-cased token", "Bearer " + valid.ToUpperInvariant());
        yield return One("Basic", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("user:pass")));
        yield return One("Token scheme", "Token " + valid[..^1] + "x");
        yield return One("two tokens", $"Bearer {ApiTokenFormat.Generate()} {ApiTokenFormat.Generate()}");
        yield return One("64 KiB value", "Bearer " + new string('a', 64 * 1024));
        yield return One("16 KiB token-like value", "Bearer bpat_" + new string('A', 16 * 1024));
        yield return ("two headers, both bad", [Latin1("Authorization: Bearer " + ApiTokenFormat.Generate()), Latin1("Authorization: Bearer nope")]);
        yield return ("two headers, a valid one first", [Latin1("Authorization: Bearer " + valid), Latin1("Authorization: Bearer " + ApiTokenFormat.Generate())]);
        yield return ("two headers, a valid one second", [Latin1("Authorization: Bearer nope"), Latin1("Authorization: Bearer " + valid)]);

        string[] fragments =
        [
            "' OR '1'='1", "'; DROP TABLE ApiTokens; --", "bpat_' OR 1=1 --", "\" OR \"\"=\"", "1; SELECT * FROM AspNetUsers",
            "<script>alert(1)</script>", "javascript:alert(1)", "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "%00", "%0d%0aSet-Cookie: x=1",
        ];
        foreach (var fragment in fragments)
        {
            yield return One($"fragment {fragment}", "Bearer " + fragment);
            yield return One($"token then fragment {fragment}", "Bearer " + valid + fragment);
        }

        // Every control character inside the value (CR and LF end the header line early).
        for (var c = 0; c < 0x20; c++)
        {
            yield return ($"control 0x{c:X2}", [[.. Latin1("Authorization: Bearer bpat_"), (byte)c, .. Latin1(valid[6..])]]);
        }

        yield return ("DEL", [[.. Latin1("Authorization: Bearer "), 0x7F, .. Latin1(valid)]]);

        // Non-ASCII: UTF-8 and lone Latin-1 bytes, in the prefix, the secret and the checksum.
        string[] nonAscii = ["ü", "€", "漢", "😀", "\u202E", "\u200B", "\uFEFF"];
        foreach (var text in nonAscii)
        {
            yield return ($"UTF-8 {text} in prefix", [[.. Latin1("Authorization: Bearer "), .. Encoding.UTF8.GetBytes("bpat" + text + valid[5..])]]);
            yield return ($"UTF-8 {text} in secret", [[.. Latin1("Authorization: Bearer "), .. Encoding.UTF8.GetBytes(valid[..20] + text + valid[21..])]]);
        }

        for (var b = 0x80; b <= 0xFF; b += 5)
        {
            yield return ($"byte 0x{b:X2}", [[.. Latin1("Authorization: Bearer " + valid[..10]), (byte)b, .. Latin1(valid[11..])]]);
        }

        // The valid token with one character changed, at every position: mostly a bad checksum.
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-!~";
        for (var position = 0; position < valid.Length; position++)
        {
            for (var i = 0; i < 8; i++)
            {
                var replacement = alphabet[random.Next(alphabet.Length)];
                if (replacement != valid[position])
                {
                    yield return One($"changed at {position}", "Bearer " + valid[..position] + replacement + valid[(position + 1)..]);
                }
            }
        }

        // Well-formed tokens nobody was given, and truncated or extended ones.
        for (var i = 0; i < 150; i++)
        {
            yield return One("unknown well-formed", "Bearer " + ApiTokenFormat.Generate());
        }

        for (var length = 0; length < valid.Length; length += 3)
        {
            yield return One($"first {length} characters", "Bearer " + valid[..length]);
        }

        yield return One("one character extra", "Bearer " + valid + "A");

        // Random printable noise of random lengths.
        for (var i = 0; i < 500; i++)
        {
            var noise = new string(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (char)random.Next(0x21, 0x7F)).ToArray());
            yield return One("noise", (i % 2 == 0 ? "Bearer " : "") + noise);
        }
    }

    private async Task<int> SendRawAsync(byte[][] headerLines)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, App.BaseAddress.Port);
        await using var stream = client.GetStream();
        using var request = new MemoryStream();
        request.Write(Latin1($"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"));
        foreach (var line in headerLines)
        {
            request.Write(line);
            request.Write("\r\n"u8);
        }

        request.Write("\r\n"u8);
        await stream.WriteAsync(request.ToArray());

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? throw new InvalidOperationException("The server closed the connection without answering.");
        return int.Parse(statusLine.Split(' ')[1]);
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
