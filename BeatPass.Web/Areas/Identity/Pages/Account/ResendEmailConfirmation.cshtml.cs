using System.ComponentModel.DataAnnotations;
using BeatPass.Core.Data;
using BeatPass.Web.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Sends a new confirmation link to an unconfirmed account; answers the same, in the same time, for any email (the
/// work is done off the request, by <see cref="AccountEmailRequests"/>).
/// </summary>
[AllowAnonymous]
public sealed class ResendEmailConfirmationModel(AccountEmailRequests requests) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool Sent { get; private set; }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        requests.Enqueue(Input.Email, (emails, user) => user.EmailConfirmed ? Task.CompletedTask : emails.SendConfirmationAsync(user));

        Sent = true;
        return Page();
    }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";
    }
}
