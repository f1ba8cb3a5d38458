using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Email;

/// <summary>
/// Confirmation and password reset over real HTTP and a real SMTP server: the link in the email is the only way
/// in, it points at App:PublicUrl whatever Host a request claims, and no page tells whether an email has an account.
/// </summary>
public sealed class AccountEmailTests : LiveAppTest
{
    private const string NewPassword = "Another-password-2";

    [Fact]
    public async Task Registering_emails_a_link_that_confirms_the_account_so_it_can_sign_in()
    {
        var client = NewClient();
        var email = NewEmail();

        var registered = await RegisterAsync(client, email);
        var page = await FollowAsync(client, registered);
        page.Should().Contain("Check your email").And.NotContain("ConfirmEmail", "the link must reach the inbox only");
        (await SignInAsync(client, email, BeatPassAppFactory.Password)).Should().BeFalse("the email is not confirmed yet");

        var message = await App.Mail.WaitForMessageAsync(email);
        message.Subject.Should().Be("Confirm your BeatPass account");
        message.From.ToString().Should().Contain("no-reply@beatpass.test");
        var link = EmailLinks.Single(message);
        link.Should().StartWith($"{App.PublicUrl.ToString().TrimEnd('/')}/Identity/Account/ConfirmEmail?");

        (await client.GetStringAsync(link)).Should().Contain("enter the password you chose when you registered");
        (await ConfirmAsync(client, link, BeatPassAppFactory.Password)).Should().Contain("Thank you for confirming your email.");
        (await SignInAsync(client, email, BeatPassAppFactory.Password)).Should().BeTrue();
    }

    [Fact]
    public async Task A_forged_Host_header_never_reaches_an_emailed_link()
    {
        var user = await App.CreateUserAsync();
        var client = NewClient();
        client.DefaultRequestHeaders.Host = "evil.example";

        (await ForgotPasswordAsync(client, user.Email!)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        await RegisterAsync(client, NewEmail());

        var reset = await App.Mail.WaitForMessageAsync(user.Email!);
        EmailLinks.Single(reset).Should().StartWith(App.PublicUrl.ToString()).And.NotContain("evil.example");
        foreach (var message in App.Mail.Messages)
        {
            message.HtmlBody.Should().NotContain("evil.example");
        }
    }

    [Fact]
    public async Task Forgot_password_emails_a_link_that_sets_a_new_password()
    {
        var user = await App.CreateUserAsync();
        var client = NewClient();

        var response = await ForgotPasswordAsync(client, user.Email!);
        response.Headers.Location!.ToString().Should().EndWith(IdentityPages.ForgotPasswordConfirmation);
        var message = await App.Mail.WaitForMessageAsync(user.Email!);
        message.Subject.Should().Be("Reset your BeatPass password");
        var link = EmailLinks.Single(message);

        var reset = await ResetPasswordAsync(client, link, user.Email!, NewPassword);

        reset.Headers.Location!.ToString().Should().Contain("ResetPasswordConfirmation");
        (await SignInAsync(NewClient(), user.Email!, BeatPassAppFactory.Password)).Should().BeFalse();
        (await SignInAsync(NewClient(), user.Email!, NewPassword)).Should().BeTrue();
    }

    [Fact]
    public async Task Changing_the_email_takes_effect_only_through_the_link_sent_to_the_new_address()
    {
        var user = await App.CreateUserAsync();
        var client = NewClient();
        (await SignInAsync(client, user.Email!, BeatPassAppFactory.Password)).Should().BeTrue();
        var newEmail = NewEmail();

        var changed = await IdentityForms.PostAsync(client, IdentityPages.Email + "?handler=ChangeEmail", new() { ["Input.NewEmail"] = newEmail });

        changed.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await FollowAsync(client, changed)).Should().Contain("We&#x27;ve sent a link to your new email");
        (await App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Id == user.Id).Email))).Should().Be(user.Email);
        var link = EmailLinks.Single(await App.Mail.WaitForMessageAsync(newEmail));
        link.Should().StartWith($"{App.PublicUrl.ToString().TrimEnd('/')}/Identity/Account/ConfirmEmailChange?");
        (await client.GetStringAsync(link)).Should().Contain("Thank you for confirming your email change.");
        (await App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Id == user.Id).Email))).Should().Be(newEmail);
    }

    [Fact]
    public async Task Resend_confirmation_emails_a_new_link_that_works()
    {
        var client = NewClient();
        var email = NewEmail();
        await RegisterAsync(client, email);
        await App.Mail.WaitForMessageAsync(email);

        var resent = await ResendConfirmationAsync(client, email);

        resent.Should().Contain("Check your email");
        var messages = await WaitForCountAsync(email, 2);
        var link = EmailLinks.Single(messages[1]);
        (await client.GetStringAsync(link)).Should().Contain("enter the password you chose when you registered");
        (await ConfirmAsync(client, link, BeatPassAppFactory.Password)).Should().Contain("Thank you for confirming your email.");
        (await SignInAsync(client, email, BeatPassAppFactory.Password)).Should().BeTrue();
    }

    [Fact]
    public async Task Register_answers_a_taken_email_as_it_answers_a_new_one_and_tells_the_owner_instead()
    {
        var owner = await App.CreateUserAsync();
        var stranger = NewEmail();

        var taken = await RegisterAsync(NewClient(), owner.Email!);
        var fresh = await RegisterAsync(NewClient(), stranger);

        taken.StatusCode.Should().Be(fresh.StatusCode);
        IdentityForms.Comparable(taken.Headers.Location!.ToString(), owner.Email!)
            .Should().Be(IdentityForms.Comparable(fresh.Headers.Location!.ToString(), stranger));
        IdentityForms.Comparable(await FollowAsync(NewClient(), taken), owner.Email!)
            .Should().Be(IdentityForms.Comparable(await FollowAsync(NewClient(), fresh), stranger));

        var notice = await App.Mail.WaitForMessageAsync(owner.Email!);
        notice.Subject.Should().Be("Someone tried to register your email at BeatPass");
        EmailLinks.Single(notice).Should().Contain(IdentityPages.ForgotPassword);
        (await App.Mail.WaitForMessageAsync(stranger)).Subject.Should().Be("Confirm your BeatPass account");
        (await App.WithDbAsync(db => Task.FromResult(db.Users.Count(u => u.Email == owner.Email)))).Should().Be(1);
    }

    [Fact]
    public async Task A_weak_password_gets_the_same_errors_for_a_taken_email_and_a_new_one()
    {
        var owner = await App.CreateUserAsync();
        var stranger = NewEmail();

        var taken = await RegisterAsync(NewClient(), owner.Email!, "weakpass");
        var fresh = await RegisterAsync(NewClient(), stranger, "weakpass");

        taken.StatusCode.Should().Be(HttpStatusCode.OK);
        var takenPage = await taken.Content.ReadAsStringAsync();
        takenPage.Should().Contain("Passwords must have at least one digit");
        IdentityForms.Comparable(takenPage, owner.Email!)
            .Should().Be(IdentityForms.Comparable(await fresh.Content.ReadAsStringAsync(), stranger));
    }

    [Fact]
    public async Task Forgot_password_Resend_and_Register_confirmation_answer_alike_for_accounts_and_unknown_emails()
    {
        var confirmed = await App.CreateUserAsync();
        var unconfirmed = NewEmail();
        await RegisterAsync(NewClient(), unconfirmed);
        await App.Mail.WaitForMessageAsync(unconfirmed);
        var unknown = NewEmail();

        var forgotKnown = await ForgotPasswordAsync(NewClient(), confirmed.Email!);
        var forgotUnknown = await ForgotPasswordAsync(NewClient(), unknown);
        forgotKnown.StatusCode.Should().Be(forgotUnknown.StatusCode);
        forgotKnown.Headers.Location.Should().Be(forgotUnknown.Headers.Location);

        IdentityForms.Comparable(await ResendConfirmationAsync(NewClient(), unconfirmed), unconfirmed)
            .Should().Be(IdentityForms.Comparable(await ResendConfirmationAsync(NewClient(), unknown), unknown));

        var confirmationKnown = await NewClient().GetStringAsync($"{IdentityPages.RegisterConfirmation}?email={Uri.EscapeDataString(unconfirmed)}");
        var confirmationUnknown = await NewClient().GetStringAsync($"{IdentityPages.RegisterConfirmation}?email={Uri.EscapeDataString(unknown)}");
        confirmationKnown.Should().NotContain("ConfirmEmail");
        IdentityForms.Comparable(confirmationKnown, unconfirmed).Should().Be(IdentityForms.Comparable(confirmationUnknown, unknown));

        await App.Mail.WaitForMessageAsync(confirmed.Email!, m => m.Subject == "Reset your BeatPass password");
        await WaitForCountAsync(unconfirmed, 2);
        App.Mail.MessagesTo(unknown).Should().BeEmpty("nobody owns that address here");
    }

    [Fact]
    public async Task An_address_someone_else_registered_first_is_taken_back_by_its_owner_and_the_squatters_password_never_works()
    {
        const string squattersPassword = "Squatter-password-1";
        var address = NewEmail();
        await RegisterAsync(NewClient(), address, squattersPassword);
        var squattersConfirmation = EmailLinks.Single(await App.Mail.WaitForMessageAsync(address));
        var owner = NewClient();

        // The owner opens the link they were sent: it asks for the password chosen at registration, which they never chose.
        (await ConfirmAsync(owner, squattersConfirmation, BeatPassAppFactory.Password)).Should().Contain("That is not the password this account was registered with.");
        (await SignInAsync(NewClient(), address, squattersPassword)).Should().BeFalse("the account is still unconfirmed");

        // The owner registers their address: they get a link to choose its password, which confirms the account.
        (await RegisterAsync(owner, address, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var finish = await App.Mail.WaitForMessageAsync(address, m => m.Subject == "Finish setting up your BeatPass account");
        var reset = await ResetPasswordAsync(owner, EmailLinks.Single(finish), address, NewPassword);

        reset.Headers.Location!.ToString().Should().Contain("ResetPasswordConfirmation");
        (await SignInAsync(NewClient(), address, squattersPassword)).Should().BeFalse("the squatter's password is gone");
        (await SignInAsync(NewClient(), address, NewPassword)).Should().BeTrue("choosing the password confirmed the account");
        (await NewClient().GetStringAsync(squattersConfirmation)).Should().Contain("already confirmed");
    }

    [Fact]
    public async Task Forgot_your_password_on_an_unconfirmed_account_sends_a_link_that_confirms_it()
    {
        var address = NewEmail();
        await RegisterAsync(NewClient(), address, "Squatter-password-1");
        await App.Mail.WaitForMessageAsync(address);

        await ForgotPasswordAsync(NewClient(), address);
        var message = await App.Mail.WaitForMessageAsync(address, m => m.Subject == "Reset your BeatPass password");
        await ResetPasswordAsync(NewClient(), EmailLinks.Single(message), address, NewPassword);

        (await SignInAsync(NewClient(), address, NewPassword)).Should().BeTrue();
        (await SignInAsync(NewClient(), address, "Squatter-password-1")).Should().BeFalse();
    }

    [Fact]
    public async Task Signing_in_before_confirming_says_so_only_after_the_right_password_and_offers_the_email_again()
    {
        var unconfirmed = await App.CreateUserAsync(emailConfirmed: false);
        var client = NewClient();

        var wrong = await IdentityForms.SignInAsync(client, unconfirmed.Email!, "Wrong-password-1");
        var wrongPage = await wrong.Content.ReadAsStringAsync();
        wrongPage.Should().Contain("Invalid login attempt.").And.NotContain("not confirmed", "a stranger learns nothing");
        var unknown = $"nobody-{Guid.NewGuid():N}@beats.test";
        var unknownPage = await (await IdentityForms.SignInAsync(client, unknown, "Wrong-password-1")).Content.ReadAsStringAsync();
        IdentityForms.Comparable(wrongPage, unconfirmed.Email!).Should().Be(IdentityForms.Comparable(unknownPage, unknown),
            "an unconfirmed account's page with a wrong password is the unknown email's");

        var right = await IdentityForms.SignInAsync(client, unconfirmed.Email!, BeatPassAppFactory.Password);

        right.StatusCode.Should().Be(HttpStatusCode.OK, "not signed in");
        var rightPage = await right.Content.ReadAsStringAsync();
        rightPage.Should().Contain("Your email address is not confirmed yet.").And.NotContain("Invalid login attempt.");
        // Its "Send the confirmation email again" form posts to the resend page with the address, as a person's click would.
        var resend = await client.PostAsync(IdentityPages.ResendEmailConfirmation, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = unconfirmed.Email!,
            ["__RequestVerificationToken"] = IdentityForms.AntiforgeryToken(rightPage),
        }));
        resend.StatusCode.Should().Be(HttpStatusCode.OK);
        EmailLinks.Single(await App.Mail.WaitForMessageAsync(unconfirmed.Email!)).Should().Contain("/Identity/Account/ConfirmEmail?");
    }

    [Fact]
    public async Task Forgot_your_password_and_Resend_answer_without_waiting_for_the_accounts_email_work()
    {
        // The attack measured how long the answer took: a real account's took longer, since its token and outbox row
        // were made inside the request. With the database's write lock held, such a request would wait for it.
        var confirmed = await App.CreateUserAsync();
        var unconfirmed = await App.CreateUserAsync(emailConfirmed: false);
        var client = NewClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var forgotForm = IdentityForms.AntiforgeryToken(await client.GetStringAsync(IdentityPages.ForgotPassword));
        var resendForm = IdentityForms.AntiforgeryToken(await client.GetStringAsync(IdentityPages.ResendEmailConfirmation));

        // A connection of the test's own (not pooled, so the app never gets it) holding the write lock.
        await using (var writer = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={App.DatabasePath};Pooling=False"))
        {
            await writer.OpenAsync();
            await using var holdsTheWriteLock = await writer.BeginTransactionAsync(); // BEGIN IMMEDIATE

            var forgot = await client.PostAsync(IdentityPages.ForgotPassword, Form(forgotForm, confirmed.Email!));
            var resend = await client.PostAsync(IdentityPages.ResendEmailConfirmation, Form(resendForm, unconfirmed.Email!));

            forgot.StatusCode.Should().Be(HttpStatusCode.Redirect, "the answer does not wait for the account's email");
            resend.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await App.Mail.WaitForMessageAsync(confirmed.Email!)).Subject.Should().Be("Reset your BeatPass password");
        (await App.Mail.WaitForMessageAsync(unconfirmed.Email!)).Subject.Should().Be("Confirm your BeatPass account");

        static FormUrlEncodedContent Form(string antiforgery, string email) =>
            new(new Dictionary<string, string> { ["Input.Email"] = email, ["__RequestVerificationToken"] = antiforgery });
    }

    private HttpClient NewClient() => App.CreateFormClient();

    /// <summary>Opens the confirmation link and confirms with <paramref name="password"/>; the page's answer.</summary>
    private static async Task<string> ConfirmAsync(HttpClient client, string link, string password) =>
        await (await IdentityForms.PostAsync(client, link, new() { ["Password"] = password })).Content.ReadAsStringAsync();

    /// <summary>Opens a reset link and chooses <paramref name="password"/>.</summary>
    private static Task<HttpResponseMessage> ResetPasswordAsync(HttpClient client, string link, string email, string password)
    {
        // The form carries the code the link brought, decoded, as the page's hidden field does.
        var code = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(System.Web.HttpUtility.ParseQueryString(new Uri(link).Query)["code"]!));
        return IdentityForms.PostAsync(client, link, new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
            ["Input.Code"] = code,
        });
    }

    private static string NewEmail() => $"mail-{Guid.NewGuid():N}@example.com";

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email, string password = BeatPassAppFactory.Password) =>
        IdentityForms.PostAsync(client, IdentityPages.Register, new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    private static Task<HttpResponseMessage> ForgotPasswordAsync(HttpClient client, string email) =>
        IdentityForms.PostAsync(client, IdentityPages.ForgotPassword, new() { ["Input.Email"] = email });

    private static async Task<string> ResendConfirmationAsync(HttpClient client, string email)
    {
        var response = await IdentityForms.PostAsync(client, IdentityPages.ResendEmailConfirmation, new() { ["Input.Email"] = email });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> FollowAsync(HttpClient client, HttpResponseMessage redirect)
    {
        redirect.StatusCode.Should().Be(HttpStatusCode.Redirect);
        return await client.GetStringAsync(redirect.Headers.Location);
    }

    /// <summary>Signs in with the form; true when it redirects anywhere but back to a sign-in problem.</summary>
    private static async Task<bool> SignInAsync(HttpClient client, string email, string password)
    {
        var response = await IdentityForms.SignInAsync(client, email, password);
        return response.StatusCode == HttpStatusCode.Redirect && !response.Headers.Location!.ToString().Contains("Lockout");
    }

    private async Task<IReadOnlyList<MimeKit.MimeMessage>> WaitForCountAsync(string to, int count)
    {
        await App.Mail.WaitForMessageAsync(to, _ => App.Mail.MessagesTo(to).Count >= count);
        return App.Mail.MessagesTo(to);
    }
}
