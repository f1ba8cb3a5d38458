using System.ComponentModel.DataAnnotations;
using System.Text;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace BeatPass.Web.Areas.Identity.Pages.Account;

/// <summary>
/// The link in "Confirm your BeatPass account". Opening it proves the address; confirming also asks for the password
/// chosen at registration, so an address someone else registered first (with a password of theirs) cannot be
/// confirmed by its owner into an account that password opens. An owner who doesn't know that password chooses their
/// own instead ("Forgot your password?"), which confirms the account too.
/// </summary>
[AllowAnonymous]
public sealed class ConfirmEmailModel(UserManager<BeatPassUser> users, ILogger<ConfirmEmailModel> logger) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    [BindProperty]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string? Password { get; set; }

    /// <summary>Set once the page has nothing more to ask: the outcome to show.</summary>
    public string? StatusMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await FindAsync() is not { } user)
        {
            return RedirectToPage("/Index");
        }

        if (user.EmailConfirmed)
        {
            StatusMessage = "Your email is already confirmed. You can sign in.";
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await FindAsync() is not { } user)
        {
            return RedirectToPage("/Index");
        }

        if (user.EmailConfirmed)
        {
            StatusMessage = "Your email is already confirmed. You can sign in.";
            return Page();
        }

        var code = Decode(Code);
        if (code is null || !await users.VerifyUserTokenAsync(user, users.Options.Tokens.EmailConfirmationTokenProvider, UserManager<BeatPassUser>.ConfirmEmailTokenPurpose, code))
        {
            StatusMessage = "This link has expired or was already used. Sign in, or ask for a new one with \"Resend email confirmation\".";
            return Page();
        }

        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(string.Empty, "Too many wrong passwords: this account is locked for a few minutes. Try again later.");
            return Page();
        }

        if (string.IsNullOrEmpty(Password) || !await users.CheckPasswordAsync(user, Password))
        {
            await users.AccessFailedAsync(user);
            ModelState.AddModelError(string.Empty, "That is not the password this account was registered with.");
            return Page();
        }

        await users.ResetAccessFailedCountAsync(user);
        var result = await users.ConfirmEmailAsync(user, code);
        StatusMessage = result.Succeeded ? "Thank you for confirming your email." : "Error confirming your email.";
        if (result.Succeeded)
        {
            logger.LogInformation("User {UserId} confirmed their email", user.Id);
        }

        return Page();
    }

    private async Task<BeatPassUser?> FindAsync() =>
        UserId is null || Code is null ? null : await users.FindByIdAsync(UserId);

    private static string? Decode(string? code)
    {
        try
        {
            return code is null ? null : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
