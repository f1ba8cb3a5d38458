using System.Security.Cryptography;
using System.Text;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.Sessions;

/// <summary>
/// The browsers an account has signed in from, each known by a random id its own long-lived cookie carries, kept
/// (hashed, the last <see cref="Remembered"/> of them) among the account's Identity tokens. A sign-in from a browser
/// not on the list is a sign-in from a new browser, which the holder is told of.
/// </summary>
public sealed class KnownBrowsers(IDbContextFactory<BeatPassDbContext> dbFactory)
{
    public const int Remembered = 20;

    private const string LoginProvider = "[BeatPass]";
    private const string Name = "KnownBrowsers";

    /// <summary>Adds the browser to the account's list. True when it was not on it, though the list had others.</summary>
    public async Task<bool> RememberAsync(string userId, string browserId, CancellationToken cancellationToken = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}:{browserId}")));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.UserTokens.SingleOrDefaultAsync(t => t.UserId == userId && t.LoginProvider == LoginProvider && t.Name == Name, cancellationToken);
        var known = row?.Value?.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList() ?? [];
        var isNew = !known.Remove(hash);
        known.Add(hash); // the most recent last
        var value = string.Join(';', known.TakeLast(Remembered));
        if (row is null)
        {
            db.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = LoginProvider, Name = Name, Value = value });
        }
        else
        {
            row.Value = value;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two sign-ins of one account at the same moment both added the row; the other one's list stands.
        }

        return isNew && known.Count > 1;
    }
}
