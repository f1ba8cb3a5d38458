using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account;

/// <summary>
/// "Check your email". It never looks the address up, so it reads the same for any email, and it never shows the
/// confirmation link: only the inbox's owner can confirm an address.
/// </summary>
[AllowAnonymous]
public sealed class RegisterConfirmationModel : PageModel
{
    public string Email { get; private set; } = "";

    public IActionResult OnGet(string? email = null)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return LocalRedirect("~/");
        }

        Email = email;
        return Page();
    }
}
