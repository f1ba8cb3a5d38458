using System.Net;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Email;

/// <summary>Every change to how an account is secured is told to its holder by email, and recorded.</summary>
public sealed class AccountChangeNoticeTests : LiveAppTest
{
    [Fact]
    public async Task A_changed_email_is_told_to_the_old_address_with_the_new_one_masked_and_the_sign_in_name_follows()
    {
        var (client, user) = await SignedInAsync();
        var newEmail = TestUsers.NewEmail("moved");

        await IdentityForms.PostAsync(client, IdentityPages.Email + "?handler=ChangeEmail", new() { ["Input.NewEmail"] = newEmail });
        var link = EmailLinks.Single(await App.Mail.WaitForMessageAsync(newEmail));
        (await client.GetAsync(link)).StatusCode.Should().Be(HttpStatusCode.OK);

        var notice = await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "The email of your BeatPass account was changed");
        notice.TextBody.Should().Contain($"to m•••@example.com").And.NotContain(newEmail).And.Contain("contact@beatpass.ca");
        (await IdentityForms.SignInAsync(App.CreateFormClient(), newEmail, BeatPassAppFactory.Password)).Headers.Location!.ToString()
            .Should().NotContain("Login", "the new address is the sign-in name too");
        (await ActionsAsync(user.Id)).Should().Contain(AuditAction.EmailChanged);
    }

    [Fact]
    public async Task An_address_that_cannot_be_a_sign_in_name_is_refused_before_anything_is_sent_or_saved()
    {
        var (client, user) = await SignedInAsync();
        const string odd = "o'brien@example.com";

        var refused = await IdentityForms.PostAsync(client, IdentityPages.Email + "?handler=ChangeEmail", new() { ["Input.NewEmail"] = odd });

        refused.StatusCode.Should().Be(HttpStatusCode.OK);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("with &quot;&#x27;&quot; in it");
        App.Mail.MessagesTo(odd).Should().BeEmpty();
        var stored = await App.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == user.Id));
        (stored.Email, stored.UserName).Should().Be((user.Email, user.UserName));
    }

    [Fact]
    public async Task Changing_the_password_tells_the_holder()
    {
        var (client, user) = await SignedInAsync();

        await IdentityForms.PostAsync(client, IdentityPages.ChangePassword, new()
        {
            ["Input.OldPassword"] = BeatPassAppFactory.Password,
            ["Input.NewPassword"] = "Brand-new-password-1",
            ["Input.ConfirmPassword"] = "Brand-new-password-1",
        });

        await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "The password of your BeatPass account was changed");
        (await ActionsAsync(user.Id)).Should().Contain(AuditAction.PasswordChanged);
    }

    [Fact]
    public async Task Turning_two_factor_on_and_off_and_regenerating_recovery_codes_each_tell_the_holder()
    {
        var (client, user) = await SignedInAsync();
        var key = await AuthenticatorPages.KeyAsync(client);
        await IdentityForms.PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "Two-factor authentication was turned on for your BeatPass account");

        await IdentityForms.PostAsync(client, IdentityPages.GenerateRecoveryCodes, new());
        await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "New recovery codes were made for your BeatPass account");

        await IdentityForms.PostAsync(client, IdentityPages.Disable2fa, new());
        await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "Two-factor authentication was turned off for your BeatPass account");

        (await ActionsAsync(user.Id)).Should().ContainInOrder(
            AuditAction.TwoFactorEnabled, AuditAction.RecoveryCodesRegenerated, AuditAction.TwoFactorDisabled);
        App.Mail.MessagesTo(user.Email!).Count(m => m.Subject == "New recovery codes were made for your BeatPass account").Should().Be(1, "the first codes come with turning two-factor on");
    }

    [Fact]
    public async Task Deleting_the_account_tells_the_holder()
    {
        var (client, user) = await SignedInAsync();

        var deleted = await IdentityForms.PostAsync(client, IdentityPages.DeletePersonalData, new() { ["Input.Password"] = BeatPassAppFactory.Password });

        deleted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "Your BeatPass account was deleted");
        (await ActionsAsync(user.Id)).Should().Contain(AuditAction.AccountDeleted);
    }

    [Fact]
    public async Task A_sign_in_from_a_browser_the_account_has_not_used_before_is_told_and_a_known_one_is_not()
    {
        var (first, user) = await SignedInAsync();
        var second = App.CreateFormClient();
        second.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/140.0 Safari/537.36");

        await IdentityForms.SignInAsync(second, user.Email!, BeatPassAppFactory.Password);
        await IdentityForms.PostAsync(first, IdentityPages.Logout, new());
        await IdentityForms.SignInAsync(first, user.Email!, BeatPassAppFactory.Password);

        var notice = await App.Mail.WaitForMessageAsync(user.Email!, m => m.Subject == "New sign-in to your BeatPass account");
        notice.TextBody.Should().Contain("Chrome on Windows").And.Contain("127.0.0.1");
        (await ActionsAsync(user.Id)).Count(a => a == AuditAction.NewBrowserSignIn)
            .Should().Be(1, "the account's first browser is not news, nor is a browser it knows");
    }

    private async Task<(HttpClient Client, global::BeatPass.Core.Data.BeatPassUser User)> SignedInAsync()
    {
        var user = await App.CreateUserAsync();
        var client = App.CreateFormClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        return (client, user);
    }

    private Task<List<AuditAction>> ActionsAsync(string userId) =>
        App.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectUserId == userId).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
}
