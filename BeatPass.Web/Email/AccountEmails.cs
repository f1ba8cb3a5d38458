using System.Text;
using System.Text.Encodings.Web;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Email;

/// <summary>
/// The emails that carry a link to act on an account: confirm it, reset its password, confirm a new address. Every
/// link starts with <c>App:PublicUrl</c>, never with the Host header of the request that asked for it.
/// </summary>
public sealed class AccountEmails(
    UserManager<BeatPassUser> users,
    LinkGenerator links,
    IOptions<AppOptions> app,
    IEmailSender sender)
{
    public async Task SendConfirmationAsync(BeatPassUser user, string? returnUrl = null)
    {
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = Link("/Account/ConfirmEmail", new { area = "Identity", userId = user.Id, code, returnUrl });
        await SendAsync(user.Email!, "Confirm your BeatPass account",
            "To confirm the email address of your new BeatPass account, open this link:",
            link,
            "If you didn't register at BeatPass, ignore this email: the account stays unconfirmed and can't be used.");
    }

    /// <summary>
    /// Tells the owner of an address that someone tried to register it again; the visitor sees what a new registration
    /// sees. When the account was never confirmed, perhaps someone else registered the address first: the owner gets a
    /// link to choose its password, which confirms it and leaves the other registration's password worthless.
    /// </summary>
    public async Task SendAlreadyRegisteredAsync(BeatPassUser user)
    {
        if (!user.EmailConfirmed)
        {
            await SendAsync(user.Email!, "Finish setting up your BeatPass account",
                "Someone, perhaps you, registered a BeatPass account with this email address, and it was never confirmed. To make it yours, choose its password here:",
                await ResetLinkAsync(user),
                "If you didn't ask for this, ignore this email: the account stays unconfirmed and can't be used.");
            return;
        }

        var link = Link("/Account/ForgotPassword", new { area = "Identity" });
        await SendAsync(user.Email!, "Someone tried to register your email at BeatPass",
            "Someone, perhaps you, tried to register a new BeatPass account with this email address. You already have an account, so nothing was created. If you forgot your password, you can reset it here:",
            link,
            "If it wasn't you, you can ignore this email: your account has not changed.");
    }

    public async Task SendPasswordResetAsync(BeatPassUser user)
    {
        await SendAsync(user.Email!, "Reset your BeatPass password",
            "To choose a new password for your BeatPass account, open this link:",
            await ResetLinkAsync(user),
            "If you didn't ask to reset your password, ignore this email: your password has not changed.");
    }

    public async Task SendEmailChangeConfirmationAsync(BeatPassUser user, string newEmail)
    {
        var code = Encode(await users.GenerateChangeEmailTokenAsync(user, newEmail));
        var link = Link("/Account/ConfirmEmailChange", new { area = "Identity", userId = user.Id, email = newEmail, code });
        await SendAsync(newEmail, "Confirm your new BeatPass email address",
            "To make this the email address of your BeatPass account, open this link:",
            link,
            "If you didn't ask for this change, ignore this email: your account keeps its current address.");
    }

    private async Task<string> ResetLinkAsync(BeatPassUser user) =>
        Link("/Account/ResetPassword", new { area = "Identity", code = Encode(await users.GeneratePasswordResetTokenAsync(user)) });

    private string Link(string page, object values) =>
        app.Value.Link(links.GetPathByPage(page, handler: null, values)
            ?? throw new InvalidOperationException($"No page {page} to link to."));

    private Task SendAsync(string to, string subject, string before, string link, string after)
    {
        var encoded = HtmlEncoder.Default.Encode(link);
        return sender.SendEmailAsync(to, subject,
            $"<p>{HtmlEncoder.Default.Encode(before)}</p>\n<p><a href=\"{encoded}\">{encoded}</a></p>\n<p>{HtmlEncoder.Default.Encode(after)}</p>\n");
    }

    private static string Encode(string code) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(code));
}
