using System.Net;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Sessions;

/// <summary>Two-factor authentication set up from the page's key and QR code, then a sign-in with a code the test computes.</summary>
public sealed class TwoFactorTests : LiveAppTest
{
    [Fact]
    public async Task An_authenticator_app_set_up_from_the_page_signs_in_with_password_and_code_and_recovery_codes_show_once()
    {
        var user = await App.CreateUserAsync();
        var client = NewClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        var setup = await client.GetStringAsync(IdentityPages.EnableAuthenticator);
        setup.Should().Contain("<svg").And.NotContain("enable QR code generation");
        var key = AuthenticatorPages.Key(setup);
        key.Should().NotBeEmpty();

        var wrong = await IdentityForms.PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = "000000" });
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("That code is not right.");
        // Typed as the app shows it, with a space in the middle.
        var enabled = await IdentityForms.PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = Code(key).Insert(3, " ") });
        enabled.Headers.Location!.ToString().Should().EndWith(IdentityPages.ShowRecoveryCodes);
        var codes = await client.GetStringAsync(enabled.Headers.Location);
        AuthenticatorPages.RecoveryCodes(codes).Should().HaveCount(10);
        // The download holds the same codes, one per line; "I have saved them" leads back to the 2FA page.
        var download = System.Text.RegularExpressions.Regex.Match(codes, "download=\"beatpass-recovery-codes.txt\"\\s+href=\"data:text/plain;charset=utf-8,([^\"]+)\"");
        download.Success.Should().BeTrue("the page offers the codes as a .txt file");
        var lines = Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(download.Groups[1].Value)).Split("\r\n");
        lines.Should().Contain(AuthenticatorPages.RecoveryCodes(codes));
        codes.Should().Contain("I have saved them").And.Contain("id=\"copy-recovery-codes\"");
        var again = await client.GetAsync(enabled.Headers.Location);
        again.StatusCode.Should().Be(HttpStatusCode.Redirect, "recovery codes are shown once");

        (await IdentityForms.PostAsync(client, IdentityPages.Logout, new())).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var fresh = NewClient();
        var password = await IdentityForms.SignInAsync(fresh, user.Email!, BeatPassAppFactory.Password);
        password.Headers.Location!.ToString().Should().Contain(IdentityPages.LoginWith2fa);
        (await fresh.GetAsync(IdentityPages.Email)).StatusCode.Should().Be(HttpStatusCode.Redirect, "a password alone does not sign in");

        var badCode = await IdentityForms.PostAsync(fresh, password.Headers.Location.ToString(), new() { ["Input.TwoFactorCode"] = "123456" });
        badCode.StatusCode.Should().Be(HttpStatusCode.OK);
        var signedIn = await IdentityForms.PostAsync(fresh, password.Headers.Location.ToString(), new()
        {
            ["Input.TwoFactorCode"] = NextCode(key),
            ["Input.RememberMachine"] = "false",
        });

        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signedIn.Headers.Location!.ToString().Should().NotContain("Login");
        (await fresh.GetAsync(IdentityPages.Email)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Turning_two_factor_off_more_than_10_minutes_after_sign_in_asks_for_the_password_or_a_code()
    {
        var user = await App.CreateUserAsync();
        var client = NewClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        var setup = await client.GetStringAsync(IdentityPages.EnableAuthenticator);
        var key = AuthenticatorPages.Key(setup);
        await IdentityForms.PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = Code(key) });
        var on = await client.GetStringAsync(IdentityPages.TwoFactorAuthentication);
        on.Should().Contain("Two-factor authentication is on.").And.Contain("Reset authenticator app")
            .And.NotContain("Set up authenticator app", "the app is already set up while two-factor is on");

        (await client.GetStringAsync(IdentityPages.Disable2fa)).Should().NotContain("Input.PasswordOrCode", "just signed in");
        App.Time.Advance(TimeSpan.FromMinutes(11));
        (await client.GetStringAsync(IdentityPages.Disable2fa)).Should().Contain("Input.PasswordOrCode");

        var refused = await IdentityForms.PostAsync(client, IdentityPages.Disable2fa, new() { ["Input.PasswordOrCode"] = "Wrong-password-1" });
        (await refused.Content.ReadAsStringAsync()).Should().Contain("That password or code is not right.");
        (await TwoFactorEnabledAsync(user.Id)).Should().BeTrue();

        var disabled = await IdentityForms.PostAsync(client, IdentityPages.Disable2fa, new() { ["Input.PasswordOrCode"] = NextCode(key).Insert(3, "-") });

        disabled.Headers.Location!.ToString().Should().EndWith(IdentityPages.TwoFactorAuthentication);
        (await TwoFactorEnabledAsync(user.Id)).Should().BeFalse();
        var off = await client.GetStringAsync(IdentityPages.TwoFactorAuthentication);
        off.Should().Contain("Two-factor authentication is off. To turn it on again, set up your authenticator app.")
            .And.Contain("Set up authenticator app").And.NotContain("2fa");
    }

    [Fact]
    public async Task A_code_signs_in_once_and_is_refused_when_replayed()
    {
        var user = await App.CreateUserAsync();
        var client = NewClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        var key = await AuthenticatorPages.KeyAsync(client);
        await IdentityForms.PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = Code(key) });
        var code = NextCode(key);

        var first = await SignInWithCodeAsync(user.Email!, code);
        var replayed = await SignInWithCodeAsync(user.Email!, code);

        first.StatusCode.Should().Be(HttpStatusCode.Redirect);
        first.Headers.Location!.ToString().Should().NotContain("Login");
        replayed.StatusCode.Should().Be(HttpStatusCode.OK, "the code was used already: the page asks again");
        (await replayed.Content.ReadAsStringAsync()).Should().Contain("Invalid authenticator code.");
    }

    private async Task<HttpResponseMessage> SignInWithCodeAsync(string email, string code)
    {
        var client = NewClient();
        var password = await IdentityForms.SignInAsync(client, email, BeatPassAppFactory.Password);
        return await IdentityForms.PostAsync(client, password.Headers.Location!.ToString(), new()
        {
            ["Input.TwoFactorCode"] = code,
            ["Input.RememberMachine"] = "false",
        });
    }

    private Task<bool> TwoFactorEnabledAsync(string userId) =>
        App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Id == userId).TwoFactorEnabled));

    // Identity checks authenticator codes against the system clock, not the app's TimeProvider, as a phone's app does.
    private static string Code(string key) => Totp.Code(key, DateTimeOffset.UtcNow);

    // The app's next code: each code is accepted once, so a second use of the key needs a code of a later step.
    private static string NextCode(string key) => Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30));

    private HttpClient NewClient() => App.CreateFormClient();
}
