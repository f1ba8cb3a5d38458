using System.Security.Cryptography;
using System.Text;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace BeatPass.Web.Identity;

/// <summary>
/// Identity's EF Core store, keeping an account's two-factor secrets as secrets (Identity's own store keeps both in
/// plain text): the authenticator key is encrypted with Data Protection (the key ring every node shares), and
/// recovery codes are kept only as salted SHA-256 hashes, like API tokens. A copy of the database then yields
/// neither codes that pass two-factor sign-in nor the key that makes them. Keys and codes stored before this read
/// and redeem as they were, until they are replaced.
/// </summary>
internal sealed class BeatPassUserStore(BeatPassDbContext context, IDataProtectionProvider dataProtection, IdentityErrorDescriber? describer = null)
    : UserStore<BeatPassUser, IdentityRole, BeatPassDbContext>(context, describer)
{
    private const string HashPrefix = "sha256:";

    private readonly IDataProtector _keys = dataProtection.CreateProtector("BeatPass.Identity.AuthenticatorKey");

    public override Task SetAuthenticatorKeyAsync(BeatPassUser user, string key, CancellationToken cancellationToken) =>
        base.SetAuthenticatorKeyAsync(user, _keys.Protect(key), cancellationToken);

    public override async Task<string?> GetAuthenticatorKeyAsync(BeatPassUser user, CancellationToken cancellationToken)
    {
        var stored = await base.GetAuthenticatorKeyAsync(user, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return _keys.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            return stored; // a key stored before keys were encrypted
        }
    }

    /// <summary>Stores the codes' hashes. Codes left after one is redeemed come back hashed already (and old plain ones get hashed).</summary>
    public override Task ReplaceCodesAsync(BeatPassUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        base.ReplaceCodesAsync(user, recoveryCodes.Select(code => IsHash(code) ? code : Hash(user, code)), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(BeatPassUser user, string code, CancellationToken cancellationToken) =>
        await base.RedeemCodeAsync(user, Hash(user, code), cancellationToken)
        // A code stored before codes were hashed; a hash typed as a code never matches a hash, which has the prefix.
        || (!IsHash(code) && await base.RedeemCodeAsync(user, code, cancellationToken));

    private static bool IsHash(string code) => code.StartsWith(HashPrefix, StringComparison.Ordinal);

    /// <summary>Salted with the account's id, so one table of hashes serves no other account.</summary>
    private static string Hash(BeatPassUser user, string code) =>
        HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{user.Id}:{code}")));
}
