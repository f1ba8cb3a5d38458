using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Identity;

/// <summary>Codes from an authenticator app, as people type them: "123 456" and "123-456" both mean 123456.</summary>
public static class AuthenticatorCodes
{
    public static string Normalize(string typed) =>
        typed.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    /// <summary>True when <paramref name="typed"/> is the account's current authenticator code.</summary>
    public static Task<bool> VerifyAuthenticatorCodeAsync(this UserManager<BeatPassUser> users, BeatPassUser user, string typed) =>
        users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Normalize(typed));
}
