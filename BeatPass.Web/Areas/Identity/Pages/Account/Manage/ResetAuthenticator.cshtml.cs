using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>
/// A new authenticator key: two-factor turns off until an app proves the new key (see <see cref="EnableAuthenticatorModel"/>).
/// Identity UI's own page, with its messages in our words; the password is asked again first (ConfirmAccessFilter).
/// </summary>
public sealed class ResetAuthenticatorModel(
    UserManager<BeatPassUser> users,
    SignInManager<BeatPassUser> signIn,
    ILogger<ResetAuthenticatorModel> logger) : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await users.GetUserAsync(User) is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user); // the security stamp changed with the key
        logger.LogInformation("User {UserId} reset their authenticator key", user.Id);
        StatusMessage = "Your authenticator app was reset and two-factor authentication is off. Add the new key to your app below to turn it on again.";
        return RedirectToPage("./EnableAuthenticator");
    }
}
