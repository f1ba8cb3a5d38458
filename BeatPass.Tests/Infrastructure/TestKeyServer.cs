using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BeatPass.Tests.Infrastructure;

/// <summary>
/// Plays GitHub's key endpoint (<c>/meta/public_keys/secret_scanning</c>) over real HTTP on 127.0.0.1: serves the keys
/// it is told to, counts the fetches, and can be down.
/// </summary>
public sealed class TestKeyServer : IAsyncDisposable
{
    private const string Path = "/meta/public_keys/secret_scanning";

    private readonly WebApplication _app;
    private volatile string _keys = """{"public_keys":[]}""";
    private int _fetches;

    private TestKeyServer(WebApplication app) => _app = app;

    public Uri KeysUrl { get; private set; } = null!;

    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>While true, every fetch gets 500.</summary>
    public bool IsDown { get; set; }

    public static async Task<TestKeyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new TestKeyServer(app);
        app.MapGet(Path, () =>
        {
            Interlocked.Increment(ref server._fetches);
            return server.IsDown ? Results.StatusCode(StatusCodes.Status500InternalServerError) : Results.Text(server._keys, "application/json");
        });
        await app.StartAsync();
        server.KeysUrl = new Uri(app.Urls.First() + Path);
        return server;
    }

    /// <summary>Serves these keys from now on, the first as the current one, as GitHub lists them.</summary>
    public void Serve(params (string Id, string Pem)[] keys) => _keys = JsonSerializer.Serialize(new
    {
        public_keys = keys.Select((key, i) => new { key_identifier = key.Id, key = key.Pem, is_current = i == 0 }),
    });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A signing key as GitHub holds one: an id, and an ECDSA P-256 key that signs alert bodies (SHA-256, DER, base64).</summary>
public sealed class TestSigningKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string Id { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string PublicPem => _key.ExportSubjectPublicKeyInfoPem();

    public (string Id, string Pem) Published => (Id, PublicPem);

    public string Sign(byte[] body) => Convert.ToBase64String(_key.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public void Dispose() => _key.Dispose();
}
