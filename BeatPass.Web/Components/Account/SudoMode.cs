using System.Security.Claims;
using BeatPass.Core.Data;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Components.Account;

/// <summary>
/// GitHub's "sudo mode": risky actions ask for the password (or a two-factor code) again unless the session signed
/// in or confirmed it within <see cref="UserSessionService.SudoWindow"/>. A stolen cookie alone then cannot mint
/// tokens. Wrong passwords count toward lockout, as on the sign-in page.
/// </summary>
public sealed class SudoMode(UserSessionService sessions, UserManager<BeatPassUser> users)
{
    public async Task<bool> IsActiveAsync(ClaimsPrincipal principal) =>
        principal.GetSessionId() is { } sessionId && await sessions.IsRecentlyVerifiedAsync(principal.GetUserId(), sessionId);

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
