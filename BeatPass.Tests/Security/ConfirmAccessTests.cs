using System.Net;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Security;

/// <summary>
/// What a stolen sign-in cookie alone can do: nothing that changes how the account is secured or reveals a secret,
/// unless the password (or a code) is given again on "Confirm access".
/// </summary>
public sealed class ConfirmAccessTests : LiveAppTest
{
    public static readonly TheoryData<string> GuardedPages =
    [
        IdentityPages.EnableAuthenticator,
        IdentityPages.ResetAuthenticator,
        IdentityPages.GenerateRecoveryCodes,
        IdentityPages.DeletePersonalData,
    ];

    [Theory]
    [MemberData(nameof(GuardedPages))]
    public async Task A_page_that_secures_the_account_asks_to_confirm_access_first_and_comes_back_after(string page)
    {
        var (client, _) = await StolenCookieAsync();

        var refused = await client.GetAsync(page);

        refused.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var confirm = refused.Headers.Location!.ToString();
        confirm.Should().StartWith(IdentityPages.ConfirmAccess + "?returnUrl=");
        var confirmed = await IdentityForms.PostAsync(client, confirm, new() { ["Input.PasswordOrCode"] = BeatPassAppFactory.Password });
        confirmed.Headers.Location!.ToString().Should().Be(page);
        (await client.GetAsync(page)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_stolen_cookie_cannot_change_the_email_download_the_personal_data_or_enroll_an_authenticator()
    {
        var (client, user) = await StolenCookieAsync();

        var changeEmail = await IdentityForms.PostAsync(client, IdentityPages.Email + "?handler=ChangeEmail", new() { ["Input.NewEmail"] = "attacker@evil.test" });
        var download = await PostAsync(client, IdentityPages.DownloadPersonalData, new());
        var enroll = await PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = "123456" });

        changeEmail.Headers.Location!.ToString().Should().StartWith(IdentityPages.ConfirmAccess);
        download.Headers.Location!.ToString().Should().StartWith(IdentityPages.ConfirmAccess);
        download.Content.Headers.ContentDisposition.Should().BeNull("no personal data is sent");
        enroll.Headers.Location!.ToString().Should().StartWith(IdentityPages.ConfirmAccess);
        App.Mail.Messages.Should().NotContain(m => m.To.ToString().Contains("attacker@evil.test"), "no confirmation link goes to the new address");
        (await App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Id == user).Email))).Should().NotBe("attacker@evil.test");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_a_return_address_elsewhere_is_not_followed()
    {
        var (client, _) = await StolenCookieAsync();
        var confirm = IdentityPages.ConfirmAccess + "?returnUrl=" + Uri.EscapeDataString("https://evil.example/");

        var wrong = await IdentityForms.PostAsync(client, confirm, new() { ["Input.PasswordOrCode"] = "Wrong-password-1" });
        var right = await IdentityForms.PostAsync(client, confirm, new() { ["Input.PasswordOrCode"] = BeatPassAppFactory.Password });

        wrong.StatusCode.Should().Be(HttpStatusCode.OK);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("That password or code is not right.");
        right.Headers.Location!.ToString().Should().Be(IdentityPages.Manage, "only addresses on this site are followed");
    }

    [Fact]
    public async Task The_personal_data_download_leaves_out_the_authenticator_key()
    {
        var user = await App.CreateUserAsync();
        var client = App.CreateFormClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        var key = (await AuthenticatorPages.KeyAsync(client)).Replace(" ", "");
        key.Should().NotBeEmpty();

        var download = await PostAsync(client, IdentityPages.DownloadPersonalData, new());

        download.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await download.Content.ReadAsStringAsync();
        json.Should().Contain(user.Email!).And.NotContain("Authenticator").And.NotContainEquivalentOf(key);
    }

    [Fact]
    public async Task The_personal_data_download_holds_the_accounts_tokens_log_sessions_and_requests_and_no_secret()
    {
        var user = await App.CreateUserAsync(hasDeveloperAccess: false);
        await App.WithServiceAsync<AccessRequests, AccessRequestResult>(requests =>
            requests.RequestAsync(user.Id, "A playlist exporter for my own library.", "https://beatpass.test/admin"));
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.HasDeveloperAccess, true)));
        var token = await App.CreateTokenAsync(user.Id, "Exporter");
        var client = App.CreateFormClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        var download = await PostAsync(client, IdentityPages.DownloadPersonalData, new());

        var json = await download.Content.ReadAsStringAsync();
        using var file = System.Text.Json.JsonDocument.Parse(json);
        var root = file.RootElement;
        root.GetProperty("account").GetProperty("Email").GetString().Should().Be(user.Email);
        var tokens = root.GetProperty("apiTokens").EnumerateArray().ToList();
        tokens.Should().ContainSingle();
        tokens[0].GetProperty("name").GetString().Should().Be("Exporter");
        tokens[0].GetProperty("hint").GetString().Should().Be(token.Summary.Hint);
        root.GetProperty("securityLog").EnumerateArray().Select(e => e.GetProperty("action").GetString())
            .Should().Contain(["AccessRequested", "TokenCreated"]);
        root.GetProperty("sessions").EnumerateArray().Should().ContainSingle().Which.GetProperty("ipAddress").GetString().Should().NotBeNullOrEmpty();
        root.GetProperty("accessRequests").EnumerateArray().Should().ContainSingle().Which.GetProperty("text").GetString()
            .Should().Be("A playlist exporter for my own library.");
        json.Should().NotContain(token.PlainText).And.NotContain(Convert.ToBase64String(BeatPass.Core.ApiTokens.ApiTokenHash.Parse(token.PlainText).ToArray()))
            .And.NotContain("tokenHash").And.NotContain("keyHash").And.NotContain("ticket");
    }

    /// <summary>
    /// A signed-in browser whose sign-in is older than the confirmation window: what a stolen cookie gives. Its account
    /// has two-factor authentication on, so every guarded page has something to show.
    /// </summary>
    private async Task<(HttpClient Client, string UserId)> StolenCookieAsync()
    {
        var user = await App.CreateUserAsync();
        var client = App.CreateFormClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.TwoFactorEnabled, true)));
        App.Time.Advance(TimeSpan.FromMinutes(11));
        return (client, user.Id);
    }

    /// <summary>
    /// Posts a form as the browser would, with an antiforgery token from a page that needs no confirmation (the
    /// Personal data page): a guarded page's own form is not shown before confirming.
    /// </summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = IdentityForms.AntiforgeryToken(await client.GetStringAsync(IdentityPages.PersonalData));
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }
}
