using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Encodings.Web;
using BeatPass.Core.Data;
using BeatPass.Web.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>Sets up an authenticator app: the key as text and as a QR code drawn here (inline SVG, no script), then a code to confirm.</summary>
public sealed class EnableAuthenticatorModel(
    UserManager<BeatPassUser> users,
    SignInManager<BeatPassUser> signIn,
    ILogger<EnableAuthenticatorModel> logger) : PageModel
{
    public string SharedKey { get; private set; } = "";

    public string AuthenticatorUri { get; private set; } = "";

    public string QrCodeSvg { get; private set; } = "";

    [TempData]
    public string[]? RecoveryCodes { get; set; }

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

        await LoadKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            await LoadKeyAsync(user);
            return Page();
        }

        if (!await users.VerifyAuthenticatorCodeAsync(user, Input.Code))
        {
            ModelState.AddModelError("Input.Code", "That code is not right. Check the app and try again.");
            await LoadKeyAsync(user);
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        // Turning 2FA on changes the security stamp; this session carries the new one, other sessions sign in again.
        await signIn.RefreshSignInAsync(user);
        logger.LogInformation("User {UserId} turned on two-factor authentication with an authenticator app", user.Id);
        StatusMessage = "Your authenticator app has been verified.";
        if (await users.CountRecoveryCodesAsync(user) == 0)
        {
            RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10) ?? []];
            return RedirectToPage("./ShowRecoveryCodes");
        }

        return RedirectToPage("./TwoFactorAuthentication");
    }

    private async Task LoadKeyAsync(BeatPassUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        SharedKey = Grouped(key!);
        var email = await users.GetEmailAsync(user);
        AuthenticatorUri = $"otpauth://totp/{UrlEncoder.Default.Encode("BeatPass")}:{UrlEncoder.Default.Encode(email!)}?secret={key}&issuer={UrlEncoder.Default.Encode("BeatPass")}&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(AuthenticatorUri, QRCodeGenerator.ECCLevel.M);
        QrCodeSvg = new SvgQRCode(data).GetGraphic(5);
    }

    /// <summary>The key in groups of four, lower case, easier to type: "abcd efgh …".</summary>
    private static string Grouped(string key)
    {
        var grouped = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            grouped.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return grouped.ToString().TrimEnd().ToLowerInvariant();
    }

    public sealed class InputModel
    {
        [Required]
        [StringLength(7, ErrorMessage = "The {0} must be at least {2} and at most {1} characters long.", MinimumLength = 6)]
        [DataType(DataType.Text)]
        [Display(Name = "Verification Code")]
        public string Code { get; set; } = "";
    }
}
