using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using System.Text;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The shape of a BeatPass API token: <c>bpat_</c>, 32 base62 characters, then 6 base62 characters of the CRC32 of
/// those 32. The fixed prefix makes leaked tokens findable by secret scanners; the checksum lets a typo be refused
/// without a database call. Of the 32, the first 24 are random and the last 8 are a tag: a keyed hash
/// (HMAC-SHA256) of the 24 under this installation's key (<see cref="ApiTokenTagKey"/>). Anyone can compute a
/// checksum, but only this service a tag, so a made-up token is refused without a lookup too. Secrets issued
/// before the tag have 32 random characters; <see cref="ApiTokenIssuer"/> knows them by their hashes.
/// </summary>
public static class ApiTokenFormat
{
    public const string Prefix = "bpat_";
    public const int SecretLength = 32;
    public const int RandomLength = 24; // about 143 bits
    public const int TagLength = 8; // 62^8, about 2^47: guessing a tag takes some 10^14 tries
    public const int ChecksumLength = 6;
    public const int Length = 43; // Prefix + secret + checksum
    public const int HashLength = 32; // SHA-256
    public const int TagKeyLength = 32;

    /// <summary>The alphabet of tokens, and of services' client ids and secrets (<see cref="Services.ServiceClientFormat"/>).</summary>
    internal const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    internal static readonly SearchValues<char> Base62Values = SearchValues.Create(Base62);

    /// <summary>A new secret, tagged by <paramref name="tagger"/> (an HMAC-SHA256 keyed with the tag key).</summary>
    public static string Generate(HMACSHA256 tagger)
    {
        Span<char> token = stackalloc char[Length];
        Prefix.CopyTo(token);
        var secret = token.Slice(Prefix.Length, SecretLength);
        RandomNumberGenerator.GetItems(Base62, secret[..RandomLength]);
        WriteTag(secret[..RandomLength], tagger, secret[RandomLength..]);
        WriteChecksum(secret, token[^ChecksumLength..]);
        return new string(token);
    }

    /// <summary>
    /// A well-formed token with no valid tag: what someone who knows the format but not the key can make (and what
    /// every secret was before tags).
    /// </summary>
    public static string Generate()
    {
        Span<char> token = stackalloc char[Length];
        Prefix.CopyTo(token);
        var secret = token.Slice(Prefix.Length, SecretLength);
        RandomNumberGenerator.GetItems(Base62, secret);
        WriteChecksum(secret, token[^ChecksumLength..]);
        return new string(token);
    }

    /// <summary>True when the token has the right prefix, length, alphabet and checksum. Touches no storage.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> token)
    {
        if (token.Length != Length || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var body = token[Prefix.Length..];
        if (body.ContainsAnyExcept(Base62Values))
        {
            return false;
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(body[..SecretLength], expected);
        return body[SecretLength..].SequenceEqual(expected);
    }

    /// <summary>
    /// True when a well-formed token's last 8 secret characters are the tag of its first 24 under the key of
    /// <paramref name="tagger"/>. One keyed instance per thread: an instance is not thread-safe, and keying one per
    /// call would cost more than the check.
    /// </summary>
    public static bool HasValidTag(ReadOnlySpan<char> token, HMACSHA256 tagger)
    {
        var secret = token.Slice(Prefix.Length, SecretLength);
        Span<char> expected = stackalloc char[TagLength];
        WriteTag(secret[..RandomLength], tagger, expected);
        // In constant time, so that response times cannot tell a guesser how much of a tag was right.
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected), MemoryMarshal.AsBytes(secret[RandomLength..]));
    }

    public static string Hint(ReadOnlySpan<char> token) => string.Concat(Prefix, "…", token[^4..]);

    private static void WriteTag(ReadOnlySpan<char> random, HMACSHA256 tagger, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[RandomLength];
        Encoding.ASCII.GetBytes(random, ascii);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        tagger.TryComputeHash(ascii, mac, out _);
        WriteBase62(BinaryPrimitives.ReadUInt64BigEndian(mac), destination);
    }

    private static void WriteChecksum(ReadOnlySpan<char> secret, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[SecretLength];
        Encoding.ASCII.GetBytes(secret, ascii);
        Span<byte> crc = stackalloc byte[4];
        Crc32.Hash(ascii, crc);

        // 62^6 > 2^32, so six base62 digits hold any CRC32.
        WriteBase62(BinaryPrimitives.ReadUInt32BigEndian(crc), destination);
    }

    /// <summary>The low digits of <paramref name="value"/> in base62, most significant first.</summary>
    private static void WriteBase62(ulong value, Span<char> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Base62[(int)(value % 62)];
            value /= 62;
        }
    }
}
