using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The SHA-256 of a well-formed token as a value type, so the authentication cache can look a token up without
/// allocating. It is the same hash the database stores. The only ways to get one from a token check its form first
/// (<see cref="TryParse"/>, <see cref="Parse"/>), so nothing is ever hashed that could not be a token.
/// </summary>
public readonly record struct ApiTokenHash(ulong Part0, ulong Part1, ulong Part2, ulong Part3)
{
    /// <summary>
    /// True, with the hash, when <paramref name="token"/> has the right prefix, length, alphabet and checksum
    /// (<see cref="ApiTokenFormat.IsWellFormed"/>). Touches no storage.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> token, out ApiTokenHash hash)
    {
        if (!ApiTokenFormat.IsWellFormed(token))
        {
            hash = default;
            return false;
        }

        // Well-formed, so ASCII and exactly Length characters.
        Span<byte> ascii = stackalloc byte[ApiTokenFormat.Length];
        Encoding.ASCII.GetBytes(token, ascii);
        Span<byte> sha256 = stackalloc byte[ApiTokenFormat.HashLength];
        SHA256.HashData(ascii, sha256);
        hash = From(sha256);
        return true;
    }

    /// <summary>The hash of a token this service made. Throws when <paramref name="token"/> is not well-formed.</summary>
    public static ApiTokenHash Parse(ReadOnlySpan<char> token) =>
        TryParse(token, out var hash) ? hash : throw new FormatException("Not a well-formed BeatPass API token.");

    /// <summary>The hash as the database stores it.</summary>
    public static ApiTokenHash From(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    public byte[] ToArray()
    {
        var bytes = new byte[ApiTokenFormat.HashLength];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Part0);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), Part1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(16), Part2);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(24), Part3);
        return bytes;
    }
}
