using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BeatPass.Core.ApiTokens;

namespace BeatPass.Core.Services;

/// <summary>
/// A service's credentials: the client id <c>bpsc_</c> and 20 base62 characters (public, it names the service) and the
/// secret <c>bpss_</c> and 40 random base62 characters (about 238 bits). The secret's own prefix lets secret scanners,
/// and people, tell it from a token.
/// </summary>
public static partial class ServiceClientFormat
{
    public const string ClientIdPrefix = "bpsc_";
    public const string SecretPrefix = "bpss_";
    public const int ClientIdLength = 25;
    public const int SecretLength = 45;
    public const int NameMinLength = 3;
    public const int NameMaxLength = 60;

    public const string NameRule =
        "A service name is 3 to 60 characters: lower-case letters, digits and dashes, starting with a letter (e.g. library-api).";

    [GeneratedRegex("^[a-z][a-z0-9-]{2,59}$")]
    public static partial Regex NamePattern();

    public static string NewClientId() => ClientIdPrefix + RandomNumberGenerator.GetString(ApiTokenFormat.Base62, ClientIdLength - ClientIdPrefix.Length);

    public static string NewSecret() => SecretPrefix + RandomNumberGenerator.GetString(ApiTokenFormat.Base62, SecretLength - SecretPrefix.Length);

    /// <summary>The SHA-256 of a secret of the right form; null for anything else, which is never hashed.</summary>
    public static byte[]? HashOf(ReadOnlySpan<char> secret)
    {
        if (secret.Length != SecretLength || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || !IsBase62(secret[SecretPrefix.Length..]))
        {
            return null;
        }

        Span<byte> ascii = stackalloc byte[SecretLength];
        Encoding.ASCII.GetBytes(secret, ascii);
        return SHA256.HashData(ascii);
    }

    public static bool IsClientId(ReadOnlySpan<char> clientId) =>
        clientId.Length == ClientIdLength && clientId.StartsWith(ClientIdPrefix, StringComparison.Ordinal) && IsBase62(clientId[ClientIdPrefix.Length..]);

    private static bool IsBase62(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(ApiTokenFormat.Base62Values);
}
