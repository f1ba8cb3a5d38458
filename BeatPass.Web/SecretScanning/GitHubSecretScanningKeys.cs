using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.SecretScanning;

/// <summary>
/// The public keys GitHub signs its secret-scanning alerts with, fetched from <c>SecretScanning:GitHub:KeysUrl</c> and
/// kept by this node. An alert signed with a key id the node does not know fetches them again, at most once a
/// minute, so a flood of made-up ids costs no flood of fetches: between fetches an unknown id is simply unknown.
/// </summary>
public sealed class GitHubSecretScanningKeys(
    IHttpClientFactory httpClients,
    IOptions<SecretScanningOptions> options,
    TimeProvider timeProvider,
    ILogger<GitHubSecretScanningKeys> logger)
{
    public const string HttpClientName = "GitHubSecretScanningKeys";

    /// <summary>The shortest time between two fetches for an unknown key id.</summary>
    public static readonly TimeSpan RefetchInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile IReadOnlyDictionary<string, string> _keys = new Dictionary<string, string>();
    private DateTimeOffset? _lastFetchAt; // read and written while holding _fetching
    private bool _lastFetchFailed;

    /// <summary>
    /// True when GitHub's key <paramref name="keyIdentifier"/> signed <paramref name="body"/> with
    /// <paramref name="signature"/> (ECDSA P-256, SHA-256, ASN.1 DER); false for any other key or signature.
    /// </summary>
    /// <exception cref="KeysUnavailableException">The key id is unknown and GitHub's keys cannot be fetched now.</exception>
    public async Task<bool> VerifyAsync(string keyIdentifier, ReadOnlyMemory<byte> body, byte[] signature, CancellationToken cancellationToken)
    {
        if (await FindAsync(keyIdentifier, cancellationToken) is not { } pem)
        {
            return false;
        }

        // A key per call: an ECDsa instance is not documented as safe to share between threads, and importing is cheap.
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.VerifyData(body.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private async Task<string?> FindAsync(string keyIdentifier, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(keyIdentifier, out var known))
        {
            return known;
        }

        await _fetching.WaitAsync(cancellationToken);
        try
        {
            if (_keys.TryGetValue(keyIdentifier, out known))
            {
                return known; // fetched while this call waited
            }

            var now = timeProvider.GetUtcNow();
            if (_lastFetchAt is { } last && now - last < RefetchInterval)
            {
                return _lastFetchFailed ? throw new KeysUnavailableException() : null;
            }

            _lastFetchAt = now;
            _lastFetchFailed = true;
            _keys = await FetchAsync(cancellationToken);
            _lastFetchFailed = false;
            return _keys.GetValueOrDefault(keyIdentifier);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> FetchAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.GitHub.KeysUrl;
        KeysDocument? document;
        try
        {
            document = await httpClients.CreateClient(HttpClientName).GetFromJsonAsync<KeysDocument>(url, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or NotSupportedException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogError(exception, "Could not fetch GitHub's secret-scanning keys from {KeysUrl}", url);
            throw new KeysUnavailableException();
        }

        var keys = new Dictionary<string, string>();
        foreach (var key in document?.PublicKeys ?? [])
        {
            if (key.KeyIdentifier is { Length: > 0 } id && key.Key is { } pem && IsP256PublicKey(pem))
            {
                keys[id] = pem;
            }
            else
            {
                logger.LogWarning("Skipped a key from {KeysUrl} that is not a P-256 public key with an id: {KeyIdentifier}", url, key.KeyIdentifier);
            }
        }

        logger.LogInformation("Fetched {KeyCount} GitHub secret-scanning keys from {KeysUrl}", keys.Count, url);
        return keys;
    }

    private static bool IsP256PublicKey(string pem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return key.KeySize == 256;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    private sealed record KeysDocument([property: JsonPropertyName("public_keys")] IReadOnlyList<PublicKey>? PublicKeys);

    private sealed record PublicKey(
        [property: JsonPropertyName("key_identifier")] string? KeyIdentifier,
        [property: JsonPropertyName("key")] string? Key,
        [property: JsonPropertyName("is_current")] bool IsCurrent);
}

/// <summary>GitHub's keys could not be fetched: the alert cannot be verified now, and GitHub should send it again.</summary>
public sealed class KeysUnavailableException() : Exception("GitHub's secret-scanning keys could not be fetched.");
