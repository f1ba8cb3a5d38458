using System.Security.Cryptography;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using BeatPass.Core.Sessions;
using BeatPass.Web.Components.Shared;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Web.Identity;

/// <summary>
/// Tells the holder of a sign-in from a browser the account has not signed in from before (by email, and in the
/// security log): each browser gets a random id in a long-lived cookie of its own, and the account remembers the
/// ids it has seen (<see cref="KnownBrowsers"/>). An account's first browser is not news.
/// </summary>
public sealed class NewBrowserSignIn(KnownBrowsers browsers, IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider)
{
    public const string CookieName = "BeatPass.Browser";

    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(400); // the most browsers keep a cookie

    public async Task OnSignInAsync(string userId, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var browserId = httpContext.Request.Cookies[CookieName] is { Length: 32 } known && known.All(char.IsAsciiHexDigitLower) ? known : null;
        if (browserId is null)
        {
            browserId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            httpContext.Response.Cookies.Append(CookieName, browserId, new CookieOptions
            {
                HttpOnly = true,
                Secure = httpContext.Request.IsHttps,
                SameSite = SameSiteMode.Lax,
                MaxAge = CookieLifetime,
                IsEssential = true,
            });
        }

        if (!await browsers.RememberAsync(userId, browserId, cancellationToken))
        {
            return;
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var browser = DeviceNames.Describe(httpContext.Request.Headers.UserAgent.ToString());
        var address = httpContext.Connection.RemoteIpAddress?.ToString() ?? "an unknown address";
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.NewBrowserSignIn, tokenName: null,
            email, to => SecurityNotices.NewBrowserSignIn(now, to, browser, address));
        await db.SaveChangesAsync(cancellationToken);
    }
}
