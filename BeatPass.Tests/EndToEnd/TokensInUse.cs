using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.EndToEnd;

/// <summary>
/// Five tokens as an account has them after months of use, not an ideal list: made at different times, one used
/// minutes ago from two places, one expiring within days, one expired, one never used. The README's screenshots show
/// them, and the look tests check the list with them.
/// </summary>
public static class TokensInUse
{
    public static async Task CreateAsync(BeatPassAppFactory app, string userId)
    {
        var now = app.Time.GetUtcNow().UtcDateTime;
        await CreateAsync("Release uploader", "Uploads new beats from the studio laptop every night.", [ApiPermissions.AccountRead, ApiPermissions.TokensRotateSelf],
            created: now.AddDays(-152), expires: null, used: (now.AddMinutes(-3), "203.0.113.7 198.51.100.23", "curl/8.5.0"));
        await CreateAsync("Analytics export", null, [ApiPermissions.SecurityLogRead],
            created: now.AddDays(-61), expires: now.AddDays(29), used: (now.AddDays(-2), "198.51.100.23", "python-requests/2.32.3"));
        await CreateAsync("CI deploy", "GitHub Actions, beatpass/storefront", [ApiPermissions.AccountRead, ApiPermissions.TokensRead],
            created: now.AddDays(-25), expires: now.AddDays(5), used: (now.AddHours(-6), "192.0.2.44", "GitHub-Actions/2.321.0"));
        await CreateAsync("Old mix backup", null, [ApiPermissions.AccountRead],
            created: now.AddDays(-120), expires: now.AddDays(-12), used: (now.AddDays(-19), "203.0.113.7", "rclone/v1.68.2"));
        await CreateAsync("Sample-pack sync", null, [ApiPermissions.AccountRead], created: now.AddDays(-1), expires: now.AddDays(89), used: null);

        // Made through the service as the page would, then given their history.
        async Task CreateAsync(string name, string? description, string[] permissions, DateTime created, DateTime? expires,
            (DateTime At, string From, string UserAgent)? used)
        {
            var result = await app.WithTokenServiceAsync(t => t.CreateAsync(userId, name, now.AddDays(30), permissions, description));
            result.Succeeded.Should().BeTrue(result.ErrorMessage);
            var id = result.Token!.Summary.Id;
            await app.WithDbAsync(async db =>
            {
                var token = await db.ApiTokens.SingleAsync(t => t.Id == id);
                (token.CreatedAt, token.IssuedAt, token.ExpiresAt) = (created, created, expires);
                (token.LastUsedAt, token.LastUsedFrom, token.LastUsedUserAgent) = (used?.At, used?.From, used?.UserAgent);
                return await db.SaveChangesAsync();
            });
        }
    }
}
