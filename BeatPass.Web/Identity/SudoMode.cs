using System.Security.Claims;
using BeatPass.Core.Data;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Identity;

/// <summary>
/// GitHub's "sudo mode": risky actions ask for the password (or a two-factor code) again unless the session signed
/// in or confirmed it within <see cref="Window"/>. A stolen cookie alone then cannot mint tokens. Wrong passwords
/// count toward lockout, as on the sign-in page.
/// </summary>
public sealed class SudoMode(UserSessionService sessions, UserManager<BeatPassUser> users, TimeProvider timeProvider)
{
    /// <summary>
    /// How long after signing in, or confirming the password again, risky actions (creating or regenerating a token,
    /// turning off two-factor authentication, signing out other sessions) go ahead without asking again.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>The window as the pages say it: "10 minutes".</summary>
    public static string WindowText { get; } = $"{Window.TotalMinutes:0} minutes";

    public async Task<bool> IsActiveAsync(ClaimsPrincipal principal) =>
        principal.GetSessionId() is { } sessionId
        && await sessions.IsVerifiedSinceAsync(principal.GetUserId(), sessionId, timeProvider.GetUtcNow().UtcDateTime - Window);

    /// <summary>
    /// The guard a risky action passes just before it runs, on the server, whatever the page did before: null while
    /// the window is open, else what to tell the user, ending with <paramref name="whatToDo"/>.
    /// </summary>
    public async Task<string?> RefusalAsync(ClaimsPrincipal principal, string whatToDo) => await IsActiveAsync(principal)
        ? null
        : $"It's been more than {WindowText} since you confirmed your password. {whatToDo}";

    /// <summary>Whether the account can confirm with an authenticator code as well as its password.</summary>
    public async Task<bool> AcceptsCodesAsync(ClaimsPrincipal principal) =>
        await users.FindByIdAsync(principal.GetUserId()) is { } user && await users.GetTwoFactorEnabledAsync(user);

    /// <summary>Checks the password or code and, when right, starts the window. Null on success, else what to tell the user.</summary>
    public async Task<string?> ConfirmAsync(ClaimsPrincipal principal, string? passwordOrCode)
    {
        if (principal.GetSessionId() is not { } sessionId || await users.FindByIdAsync(principal.GetUserId()) is not { } user)
        {
            return "Your session has ended. Sign in again.";
        }

        if (await users.IsLockedOutAsync(user))
        {
            return "Too many wrong attempts: your account is locked for a few minutes. Try again later.";
        }

        if (string.IsNullOrEmpty(passwordOrCode) || !await IsRightAsync(user, passwordOrCode))
        {
            await users.AccessFailedAsync(user);
            return await users.GetTwoFactorEnabledAsync(user) ? "That password or code is not right." : "That password is not right.";
        }

        await users.ResetAccessFailedCountAsync(user);
        await sessions.MarkVerifiedAsync(user.Id, sessionId);
        return null;
    }

    private async Task<bool> IsRightAsync(BeatPassUser user, string passwordOrCode)
    {
        if (await users.CheckPasswordAsync(user, passwordOrCode))
        {
            return true;
        }

        var code = AuthenticatorCodes.Normalize(passwordOrCode);
        return code.Length == 6 && code.All(char.IsAsciiDigit) && await users.GetTwoFactorEnabledAsync(user)
            && await users.VerifyAuthenticatorCodeAsync(user, code);
    }
}
