using System.ComponentModel.DataAnnotations;
using BeatPass.Core.Data;
using BeatPass.Web.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Emails a reset link to the account with that email, confirmed or not (for an unconfirmed one, choosing a password
/// from the link is how its owner takes back an address someone else registered); answers the same, in the same time,
/// for any email (the work is done off the request, by <see cref="AccountEmailRequests"/>).
/// </summary>
[AllowAnonymous]
public sealed class ForgotPasswordModel(AccountEmailRequests requests) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        requests.Enqueue(Input.Email, (emails, user) => emails.SendPasswordResetAsync(user));

        return RedirectToPage("./ForgotPasswordConfirmation");
    }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";
    }
}
