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
