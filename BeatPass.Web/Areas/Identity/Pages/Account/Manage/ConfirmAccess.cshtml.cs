using System.ComponentModel.DataAnnotations;
using BeatPass.Web.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>
/// "Confirm access": the password or an authenticator code again, asked by <see cref="ConfirmAccessFilter"/> before a
/// page that changes how the account is secured or reveals a secret, then back to that page.
/// </summary>
public sealed class ConfirmAccessModel(SudoMode sudo) : PageModel
{
    public bool AcceptsCodes { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync()
    {
        AcceptsCodes = await sudo.AcceptsCodesAsync(User);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await sudo.ConfirmAsync(User, Input.PasswordOrCode) is { } error)
        {
            AcceptsCodes = await sudo.AcceptsCodesAsync(User);
            ModelState.AddModelError(string.Empty, error);
            return Page();
        }

        // Prevent open redirects.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "~" + IdentityPages.Manage);
    }

    public sealed class InputModel
    {
        [Display(Name = "Password or authentication code")]
        public string? PasswordOrCode { get; set; }
    }
}
