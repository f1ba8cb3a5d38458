using System.Buffers.Binary;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The SHA-256 of a token as a value type, so the authentication cache can look a token up without
/// allocating. It is the same hash the database stores.
/// </summary>
public readonly record struct ApiTokenHash(ulong Part0, ulong Part1, ulong Part2, ulong Part3)
{
    /// <summary>Call only with a well-formed token (see <see cref="ApiTokenFormat.IsWellFormed"/>).</summary>
    public static ApiTokenHash Of(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[ApiTokenFormat.HashLength];
        ApiTokenFormat.Hash(token, hash);
        return From(hash);
    }

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
