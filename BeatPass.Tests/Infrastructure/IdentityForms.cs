using System.Text.RegularExpressions;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The Identity UI's sign-in form, posted the way a browser posts it.</summary>
public static partial class IdentityForms
{
    /// <summary>Posts the sign-in form; a redirect home means signed in, to the lockout page means locked out.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync(IdentityPages.Login);
        var antiforgery = AntiforgeryToken(form);
        return await client.PostAsync(IdentityPages.Login, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.RememberMe"] = "false",
            ["__RequestVerificationToken"] = antiforgery,
        }));
    }

    /// <summary>Opens the page at <paramref name="url"/>, then posts its form with <paramref name="fields"/>, as a browser would.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, Dictionary<string, string> fields)
    {
        var form = await client.GetStringAsync(url);
        fields["__RequestVerificationToken"] = AntiforgeryToken(form);
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    /// <summary>The antiforgery token in a page's form.</summary>
    public static string AntiforgeryToken(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    /// <summary>
    /// A page's HTML without what differs on every response (antiforgery tokens, script nonces) and with
    /// <paramref name="email"/> replaced, so the answers for two emails can be compared whole.
    /// </summary>
    public static string Comparable(string html, string email) =>
        PerResponse().Replace(html, "").Replace(email, "EMAIL").Replace(Uri.EscapeDataString(email), "EMAIL");

    [GeneratedRegex("value=\"CfDJ8[^\"]+\"|nonce=\"[^\"]+\"")]
    private static partial Regex PerResponse();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
