using System.ComponentModel.DataAnnotations;
using BeatPass.Core.Data;
using BeatPass.Web.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Registration that never says whether an email is taken: a taken one leads to the same "check your email" page
/// as a new one, and its owner gets an email instead.
/// </summary>
[AllowAnonymous]
public sealed class RegisterModel(
    UserManager<BeatPassUser> users,
    AccountEmails emails,
    TimeProvider timeProvider,
    ILogger<RegisterModel> logger) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public void OnGet(string? returnUrl = null) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl = null)
    {
        ReturnUrl = returnUrl;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = new BeatPassUser { UserName = Input.Email, Email = Input.Email, CreatedAt = timeProvider.GetUtcNow().UtcDateTime };
        // The password rules are checked first and alike for every email, so their errors tell nothing of an account.
        var passwordErrors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            passwordErrors.AddRange((await validator.ValidateAsync(users, user, Input.Password)).Errors);
        }

        if (passwordErrors.Count > 0)
        {
            passwordErrors.ForEach(e => ModelState.AddModelError(string.Empty, e.Description));
            return Page();
        }

        var created = await users.FindByEmailAsync(Input.Email) is null ? await users.CreateAsync(user, Input.Password) : null;
        if (created is { Succeeded: true })
        {
            logger.LogInformation("User {UserId} registered", user.Id);
            await emails.SendConfirmationAsync(user, returnUrl);
        }
        else if (await users.FindByEmailAsync(Input.Email) is { } existing)
        {
            // Taken (perhaps by a registration racing this one): hash anyway, so the answer takes as long as a new account's.
            users.PasswordHasher.HashPassword(user, Input.Password);
            await emails.SendAlreadyRegisteredAsync(existing);
        }
        else
        {
            created!.Errors.ToList().ForEach(e => ModelState.AddModelError(string.Empty, e.Description));
            return Page();
        }

        return RedirectToPage("RegisterConfirmation", new { email = Input.Email, returnUrl });
    }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        [StringLength(256)]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required]
        [StringLength(100, ErrorMessage = "The {0} must be at least {2} and at most {1} characters long.", MinimumLength = 6)]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";

        [DataType(DataType.Password)]
        [Display(Name = "Confirm password")]
        [Compare(nameof(Password), ErrorMessage = "The password and confirmation password do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }
}
