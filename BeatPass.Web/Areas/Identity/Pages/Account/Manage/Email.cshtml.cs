using System.ComponentModel.DataAnnotations;
using BeatPass.Core.Data;
using BeatPass.Web.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>Changing the account's email: the new address must be confirmed from its own inbox before it takes effect.</summary>
public sealed class EmailModel(UserManager<BeatPassUser> users, AccountEmails emails) : PageModel
{
    [Display(Name = "Email")]
    public string? Email { get; private set; }

    public bool IsEmailConfirmed { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        Show(user);
        return Page();
    }

    public async Task<IActionResult> OnPostChangeEmailAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            Show(user);
            return Page();
        }

        if (string.Equals(Input.NewEmail, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            StatusMessage = "Your email is unchanged.";
            return RedirectToPage();
        }

        // The email is also the sign-in name: refuse now, not after the link is opened, what cannot be one.
        if (await SignInNameErrorAsync(user, Input.NewEmail) is { } error)
        {
            ModelState.AddModelError("Input.NewEmail", error);
            Show(user);
            return Page();
        }

        await emails.SendEmailChangeConfirmationAsync(user, Input.NewEmail);
        StatusMessage = "We've sent a link to your new email. Open it to confirm the change.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSendVerificationEmailAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        if (!user.EmailConfirmed)
        {
            await emails.SendConfirmationAsync(user);
        }

        StatusMessage = "Verification email sent. Please check your email.";
        return RedirectToPage();
    }

    private async Task<string?> SignInNameErrorAsync(BeatPassUser user, string newEmail)
    {
        var allowed = users.Options.User.AllowedUserNameCharacters;
        if (!string.IsNullOrEmpty(allowed) && newEmail.FirstOrDefault(c => !allowed.Contains(c)) is var odd and not '\0')
        {
            return $"BeatPass can't use an address with \"{odd}\" in it: the email is also what you sign in with. Use another address.";
        }

        return await users.FindByNameAsync(newEmail) is { } other && other.Id != user.Id
            ? "Another BeatPass account already uses that address."
            : null;
    }

    private void Show(BeatPassUser user)
    {
        Email = user.Email;
        IsEmailConfirmed = user.EmailConfirmed;
        Input.NewEmail = "";
    }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        [StringLength(256)]
        [Display(Name = "New email")]
        public string NewEmail { get; set; } = "";
    }
}
