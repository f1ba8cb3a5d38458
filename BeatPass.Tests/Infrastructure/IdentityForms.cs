using System.Text.RegularExpressions;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The Identity UI's sign-in form, posted the way a browser posts it.</summary>
public static partial class IdentityForms
{
    /// <summary>Posts the sign-in form; a redirect home means signed in, to the lockout page means locked out.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/Identity/Account/Login");
        var antiforgery = AntiforgeryField().Match(form).Groups[1].Value;
        return await client.PostAsync("/Identity/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.RememberMe"] = "false",
            ["__RequestVerificationToken"] = antiforgery,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
