using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The shape of a BeatPass API token: <c>bpat_</c>, 32 random base62 characters, then 6 base62 characters
/// of the CRC32 of the random part. The fixed prefix makes leaked tokens findable by secret scanners; the
/// checksum lets a typo or a made-up token be refused without a database call.
/// </summary>
public static class ApiTokenFormat
{
    public const string Prefix = "bpat_";
    public const int SecretLength = 32;
    public const int ChecksumLength = 6;
    public const int Length = 43; // Prefix + secret + checksum
    public const int HashLength = 32; // SHA-256

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> Base62Values = SearchValues.Create(Base62);

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

    /// <summary>SHA-256 of the whole token. Call only with a well-formed (so ASCII) token.</summary>
    public static byte[] Hash(ReadOnlySpan<char> token)
    {
        var hash = new byte[HashLength];
        Hash(token, hash);
        return hash;
    }

    /// <summary>Writes the SHA-256 of a well-formed token into <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<char> token, Span<byte> destination)
    {
        Span<byte> ascii = stackalloc byte[Length];
        var count = Encoding.ASCII.GetBytes(token, ascii);
        SHA256.HashData(ascii[..count], destination);
    }

    public static string Hint(ReadOnlySpan<char> token) => string.Concat(Prefix, "…", token[^4..]);

    private static void WriteChecksum(ReadOnlySpan<char> secret, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[SecretLength];
        Encoding.ASCII.GetBytes(secret, ascii);
        Span<byte> crc = stackalloc byte[4];
        Crc32.Hash(ascii, crc);

        // 62^6 > 2^32, so six base62 digits hold any CRC32, most significant first.
        var value = BinaryPrimitives.ReadUInt32BigEndian(crc);
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Base62[(int)(value % 62)];
            value /= 62;
        }
    }
}
