using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.Authentication;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace BeatPass.Web.Identity;

/// <summary>
/// Keeps the sign-in ticket in the database (<see cref="UserSessionKeyStore"/>), so the cookie holds only a random
/// key and signing out, or ending the session from Active Sessions, leaves a copied cookie worth nothing. Every
/// sign-in starts a session under a new key (see <see cref="IsSignInPage"/>).
/// </summary>
public sealed class DatabaseTicketStore(UserSessionKeyStore sessions, NewBrowserSignIn newBrowsers, RecentSignOuts signOuts) : ITicketStore
{
    /// <summary>The claim that names the session (its id, not its key) on every principal read from the store.</summary>
    public const string SessionIdClaimType = "beatpass:session";

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    /// <summary>A sign-in: a new session, and word to the holder when the browser is new to the account.</summary>
    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var userId = UserId(ticket);
        var key = await sessions.StartAsync(userId, Serialize(ticket), ticket.Properties.ExpiresUtc?.UtcDateTime,
            httpContext?.Connection.RemoteIpAddress?.ToString(), UserAgent(httpContext), cancellationToken);
        if (httpContext is not null)
        {
            await newBrowsers.OnSignInAsync(userId, httpContext, cancellationToken);
        }

        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) =>
        sessions.RenewAsync(key, UserId(ticket), Serialize(ticket), ticket.Properties.ExpiresUtc?.UtcDateTime, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (IsSignInPage(httpContext))
        {
            // The cookie handler keeps the key of a session it found and, on sign-in, stores the new sign-in under it.
            // A key planted in this browser beforehand (by a sibling subdomain, over plain HTTP, on a shared computer)
            // would then carry the new sign-in to whoever planted it. So the sign-in pages never see the browser's
            // session (the form and its antiforgery token are an anonymous visitor's), and posting one ends it,
            // whoever's it was: the handler, finding none, stores the sign-in under a new key.
            if (HttpMethods.IsPost(httpContext.Request.Method))
            {
                await sessions.EndAsync(key, cancellationToken);
            }

            return null;
        }

        if (await sessions.FindAsync(key, cancellationToken) is not var (id, bytes) || TicketSerializer.Default.Deserialize(bytes) is not { } ticket)
        {
            return null;
        }

        var identity = (ClaimsIdentity)ticket.Principal.Identity!;
        foreach (var stale in identity.FindAll(SessionIdClaimType).ToList())
        {
            identity.RemoveClaim(stale);
        }

        identity.AddClaim(new Claim(SessionIdClaimType, id.ToString()));
        return ticket;
    }

    public Task RemoveAsync(string key) => sessions.EndAsync(key);

    /// <summary>Sign-out: the session ends, and this node's open tabs of it learn that their browser signed out.</summary>
    public Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (httpContext?.User.GetSessionId() is { } sessionId)
        {
            signOuts.Add(sessionId);
        }

        return sessions.EndAsync(key, cancellationToken);
    }

    /// <summary>The pages that sign in: with the password, a two-factor code, or a recovery code.</summary>
    private static bool IsSignInPage([NotNullWhen(true)] HttpContext? httpContext) =>
        httpContext is { Request.Path: var path } && SignInPages.Any(page => path.Equals(page, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] SignInPages = [IdentityPages.Login, IdentityPages.LoginWith2fa, IdentityPages.LoginWithRecoveryCode];

    private static string UserId(AuthenticationTicket ticket) =>
        ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("A sign-in without a user id.");

    private static byte[] Serialize(AuthenticationTicket ticket) => TicketSerializer.Default.Serialize(ticket);

    private static string? UserAgent(HttpContext? httpContext) => httpContext?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null;
}
