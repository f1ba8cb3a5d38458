using System.ComponentModel.DataAnnotations;
using BeatPass.Core.Data;
using BeatPass.Web.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>Turning two-factor authentication off: a risky action, so the password or a code is asked again (see <see cref="SudoMode"/>).</summary>
public sealed class Disable2faModel(
    UserManager<BeatPassUser> users,
    SignInManager<BeatPassUser> signIn,
    SudoMode sudo,
    ILogger<Disable2faModel> logger) : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    public bool MustConfirm { get; private set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            return RedirectToPage("./TwoFactorAuthentication");
        }

        MustConfirm = !await sudo.IsActiveAsync(User);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        if (!await sudo.IsActiveAsync(User) && await sudo.ConfirmAsync(User, Input.PasswordOrCode) is { } error)
        {
            MustConfirm = true;
            ModelState.AddModelError(string.Empty, error);
            return Page();
        }

        var result = await users.SetTwoFactorEnabledAsync(user, false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Two-factor authentication could not be turned off.");
        }

        await signIn.RefreshSignInAsync(user); // the security stamp changed with it
        logger.LogInformation("User {UserId} turned off two-factor authentication", user.Id);
        StatusMessage = "Two-factor authentication is off. To turn it on again, set up your authenticator app.";
        return RedirectToPage("./TwoFactorAuthentication");
    }

    public sealed class InputModel
    {
        [Display(Name = "Password or authentication code")]
        public string? PasswordOrCode { get; set; }
    }
}
