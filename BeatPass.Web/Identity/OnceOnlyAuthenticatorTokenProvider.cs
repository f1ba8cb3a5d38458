using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Identity;

/// <summary>
/// Checks authenticator codes as Identity's own provider does (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, up to
/// two steps either side for a clock that drifts), and accepts each code once: the account remembers the last step
/// it accepted and refuses that step's code, or an earlier one, afterwards. A code seen over a shoulder or caught in
/// transit then cannot sign in a second time, nor pass "Confirm access". The step is saved with Identity's
/// concurrency check, so of two uses racing with the same code, one fails.
/// </summary>
internal sealed class OnceOnlyAuthenticatorTokenProvider : AuthenticatorTokenProvider<BeatPassUser>
{
    public const string Name = "BeatPassAuthenticator";

    private const string LoginProvider = "[BeatPass]";
    private const string LastStepName = "LastAuthenticatorStep";
    private const int AllowedDrift = 2;

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<BeatPassUser> manager, BeatPassUser user)
    {
        if (await manager.GetAuthenticatorKeyAsync(user) is not { } key || token.Length != 6 || !token.All(char.IsAsciiDigit)
            || MatchingStep(key, token) is not { } step)
        {
            return false;
        }

        var last = await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepName);
        if (last is not null && long.Parse(last, CultureInfo.InvariantCulture) >= step)
        {
            return false;
        }

        var saved = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepName, step.ToString(CultureInfo.InvariantCulture));
        return saved.Succeeded;
    }

    private static long? MatchingStep(string key, string code)
    {
        var keyBytes = Base32Decode(key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        for (var step = now - AllowedDrift; step <= now + AllowedDrift; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(keyBytes, step)), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                return step;
            }
        }

        return null;
    }

    private static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0f;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return value.ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[] Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        var buffer = 0;
        var bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            var value = Alphabet.IndexOf(c);
            if (value < 0)
            {
                continue; // spaces and padding
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
