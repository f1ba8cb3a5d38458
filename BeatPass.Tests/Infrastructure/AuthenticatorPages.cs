using System.Text.RegularExpressions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Infrastructure;

/// <summary>What the two-factor pages show a person: the authenticator key to type into an app, and recovery codes.</summary>
public static partial class AuthenticatorPages
{
    /// <summary>The key "Set up authenticator app" shows (grouped in fours, as the page shows it).</summary>
    public static async Task<string> KeyAsync(HttpClient client) =>
        SharedKey().Match(await client.GetStringAsync(IdentityPages.EnableAuthenticator)).Groups[1].Value;

    /// <summary>The key in a "Set up authenticator app" page already fetched.</summary>
    public static string Key(string page) => SharedKey().Match(page).Groups[1].Value;

    /// <summary>The recovery codes a page shows.</summary>
    public static IReadOnlyList<string> RecoveryCodes(string page) => [.. RecoveryCode().Matches(page).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<kbd id=\"sharedKey\">([a-z2-7 ]+)</kbd>")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<code class=\"recovery-code\">([^<]+)</code>")]
    private static partial Regex RecoveryCode();
}
